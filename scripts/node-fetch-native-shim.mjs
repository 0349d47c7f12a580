// Stands in for node-fetch-native in the shipped bundle: ofetch uses it only where node has no fetch of
// its own, and wxplat needs Node ≥ 20.17, which has one.
export default globalThis.fetch;
export const AbortController = globalThis.AbortController;
export const Headers = globalThis.Headers;
