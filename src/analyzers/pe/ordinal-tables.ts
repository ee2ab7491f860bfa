/** Ordinal-to-name tables (data only); see ordinal-names.ts. */
export const WS2_32_ORDINALS: Readonly<Record<number, string>> = {};
export const OLEAUT32_ORDINALS: Readonly<Record<number, string>> = {};
