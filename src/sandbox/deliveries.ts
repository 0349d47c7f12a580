// How many messages each recipient of one account was sent (after client_msg_id dedupe). Derived
// followers are counted in a typed array by index (4 bytes each, no strings kept); any other openid in
// a map.

const ARRAY_LIMIT = 1 << 24;

export class Deliveries {
  #byIndex = new Uint32Array(0);
  #byOpenid = new Map<string, number>();
  #total = 0;

  get total(): number {
    return this.#total;
  }

  add(openid: string, derivedIndex: number): void {
    this.#total++;
    if (derivedIndex >= 0 && derivedIndex < ARRAY_LIMIT) {
      if (derivedIndex >= this.#byIndex.length) {
        const grown = new Uint32Array(Math.min(ARRAY_LIMIT, Math.max(1024, derivedIndex + 1, this.#byIndex.length * 2)));
        grown.set(this.#byIndex);
        this.#byIndex = grown;
      }
      this.#byIndex[derivedIndex]++;
      return;
    }
    this.#byOpenid.set(openid, (this.#byOpenid.get(openid) ?? 0) + 1);
  }

  count(openid: string, derivedIndex: number): number {
    if (derivedIndex >= 0 && derivedIndex < ARRAY_LIMIT) return this.#byIndex[derivedIndex] ?? 0;
    return this.#byOpenid.get(openid) ?? 0;
  }

  reset(): void {
    this.#byIndex = new Uint32Array(0);
    this.#byOpenid.clear();
    this.#total = 0;
  }
}
