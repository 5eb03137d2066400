import { formatSummary, summarize } from './stats';
import { renderTable } from './table';

describe('benchmark statistics', () => {
  it('reports the median and range of runs', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, runs: 3 });
    expect(summarize([4, 1, 3, 2]).median).toBe(2.5);
    expect(() => summarize([])).toThrow(RangeError);
    expect(formatSummary(summarize([1000, 2000, 3000]))).toBe('2,000 [1,000-3,000]');
  });

  it('renders aligned tables', () => {
    expect(renderTable(['a', 'bb'], [['xxx', 'y']])).toBe('| a   | bb |\n|-----|----|\n| xxx | y  |');
  });
});
