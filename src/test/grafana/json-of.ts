/**
 * A TypeScript type as JSON spells it: Grafana's schema types use string enums (ThresholdsMode.Absolute), which a
 * dashboard's JSON writes as their values ("absolute"). Everything else, required fields and unknown properties
 * included, is checked as the schema says.
 */
export type JsonOf<T> = T extends string
  ? `${T}`
  : T extends readonly (infer U)[]
    ? JsonOf<U>[]
    : T extends object
      ? { [K in keyof T]: JsonOf<T[K]> }
      : T;
