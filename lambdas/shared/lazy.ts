/** Computes a value on first use and keeps it: keeps cold starts free of work a request may never need. */
export const lazy = <T>(compute: () => T): (() => T) => {
  let cached: { value: T } | undefined;
  return () => {
    cached ??= { value: compute() };
    return cached.value;
  };
};
