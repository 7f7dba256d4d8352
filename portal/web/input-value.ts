// The value of the input or select an event came from.
export const valueOf = (e: Event) =>
  (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;
