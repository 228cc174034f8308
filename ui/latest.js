// Overlapping requests where only the newest answer may be used. A person who clicks patient A
// and then patient B must see B's notes, even when A's answer arrives last.

// Thrown in place of an answer that a newer request has made stale.
export class Superseded extends Error {
  constructor() {
    super("a newer request replaced this one");
    this.name = "Superseded";
  }
}

// Returns `run(request)`: it awaits `request()` and gives its answer only if no later `run`
// started meanwhile; otherwise it throws Superseded (errors of stale requests too).
export function latestOnly() {
  let newest = 0;
  return async function run(request) {
    const mine = ++newest;
    try {
      const answer = await request();
      if (mine !== newest) throw new Superseded();
      return answer;
    } catch (err) {
      if (mine !== newest) throw new Superseded();
      throw err;
    }
  };
}
