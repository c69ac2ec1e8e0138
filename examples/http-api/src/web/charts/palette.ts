/**
 * Series colours, in order: distinguishable for the common colour-vision
 * deficiencies (the Okabe-Ito palette), so that a legend is never the only
 * way to tell series apart on screen; tooltips name the series too.
 */
export const palette = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'] as const;

/** The colour of the `index`-th series. */
export function seriesColour(index: number): string {
  return palette[index % palette.length]!;
}
