/*
 * A stand-in for Windows' bcryptprimitives.dll under Wine 8, which lacks it: Rust's standard
 * library (1.78 and later) takes its random numbers from ProcessPrng there. This one takes them
 * from RtlGenRandom, which Wine has. Used only by scripts/check-windows.sh, to run Windows test
 * builds under Wine; never shipped.
 */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
