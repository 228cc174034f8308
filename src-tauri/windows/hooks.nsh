; Hooks into the NSIS installer Tauri builds (tauri.windows.conf.json: bundle.windows.nsis.installerHooks),
; doing for a per-machine NSIS install what src-tauri/windows/fleet.wxs does for the MSI:
; - the decoda command beside the app, its folder on the system PATH (removed again on uninstall);
; - %ProgramData%\Decoda Uploader writable by administrators and SYSTEM only, inheritance removed
;   (any user may create folders in ProgramData); kept on removal, as it may hold IT's fleet file;
; - the app offered in "Open with" for its document types, never made their default app.
; For fleets, IT deploys the MSI; this installer is for a single workstation.
; Paths are relative to the generated installer.nsi (target\release\nsis\x64).

!macro DECODA_OPEN_WITH EXT
  WriteRegStr HKLM "Software\Classes\.${EXT}\OpenWithProgids" "DecodaUploader.Document" ""
  WriteRegStr HKLM "Software\Classes\Applications\decoda-uploader.exe\SupportedTypes" ".${EXT}" ""
!macroend

!macro DECODA_NOT_OPEN_WITH EXT
  DeleteRegValue HKLM "Software\Classes\.${EXT}\OpenWithProgids" "DecodaUploader.Document"
!macroend

!macro NSIS_HOOK_POSTINSTALL
  File "/oname=$INSTDIR\decoda.exe" "..\..\decoda.exe"
  ExecWait `"$SYSDIR\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "$$p = [Environment]::GetEnvironmentVariable('Path', 'Machine'); if (($$p -split ';') -notcontains '$INSTDIR') { [Environment]::SetEnvironmentVariable('Path', $$p.TrimEnd(';') + ';$INSTDIR', 'Machine') }"`
  CreateDirectory "$COMMONPROGRAMDATA\Decoda Uploader"
  ExecWait `"$SYSDIR\icacls.exe" "$COMMONPROGRAMDATA\Decoda Uploader" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX`
  ExecWait `"$SYSDIR\icacls.exe" "$COMMONPROGRAMDATA\Decoda Uploader" /setowner *S-1-5-32-544`
  WriteRegStr HKLM "Software\Classes\DecodaUploader.Document" "FriendlyTypeName" "Document for Decoda Uploader"
  WriteRegStr HKLM "Software\Classes\DecodaUploader.Document\shell\open\command" "" '"$INSTDIR\decoda-uploader.exe" "%1"'
  WriteRegStr HKLM "Software\Classes\Applications\decoda-uploader.exe\shell\open\command" "" '"$INSTDIR\decoda-uploader.exe" "%1"'
  !insertmacro DECODA_OPEN_WITH "pdf"
  !insertmacro DECODA_OPEN_WITH "png"
  !insertmacro DECODA_OPEN_WITH "jpg"
  !insertmacro DECODA_OPEN_WITH "jpeg"
  !insertmacro DECODA_OPEN_WITH "tif"
  !insertmacro DECODA_OPEN_WITH "tiff"
  !insertmacro DECODA_OPEN_WITH "heic"
  !insertmacro DECODA_OPEN_WITH "webp"
  !insertmacro DECODA_OPEN_WITH "txt"
!macroend

!macro NSIS_HOOK_PREUNINSTALL
  ; An update runs the old uninstaller first: the PATH entry and "Open with" stay for the new version.
  ${If} $UpdateMode <> 1
    ExecWait `"$SYSDIR\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "$$p = [Environment]::GetEnvironmentVariable('Path', 'Machine'); [Environment]::SetEnvironmentVariable('Path', (($$p -split ';') | Where-Object { $$_ -and $$_ -ne '$INSTDIR' }) -join ';', 'Machine')"`
    !insertmacro DECODA_NOT_OPEN_WITH "pdf"
    !insertmacro DECODA_NOT_OPEN_WITH "png"
    !insertmacro DECODA_NOT_OPEN_WITH "jpg"
    !insertmacro DECODA_NOT_OPEN_WITH "jpeg"
    !insertmacro DECODA_NOT_OPEN_WITH "tif"
    !insertmacro DECODA_NOT_OPEN_WITH "tiff"
    !insertmacro DECODA_NOT_OPEN_WITH "heic"
    !insertmacro DECODA_NOT_OPEN_WITH "webp"
    !insertmacro DECODA_NOT_OPEN_WITH "txt"
    DeleteRegKey HKLM "Software\Classes\DecodaUploader.Document"
    DeleteRegKey HKLM "Software\Classes\Applications\decoda-uploader.exe"
    Delete "$INSTDIR\decoda.exe"
  ${EndIf}
!macroend
