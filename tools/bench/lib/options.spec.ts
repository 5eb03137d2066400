import { benchOptions, parsePositive, positiveOption } from './options';

describe('bench options', () => {
  it('reads --name value pairs with defaults, and names the option a bad value was given to', () => {
    const options = benchOptions(['--runs', '5', '--window', '0.5']);
    expect(positiveOption(options, 'runs', 3)).toBe(5);
    expect(positiveOption(options, 'window', 1000)).toBe(0.5);
    expect(positiveOption(options, 'sequential', 300)).toBe(300);
    expect(() => parsePositive('seconds', 'abc')).toThrow('--seconds must be a positive number, not "abc"');
    expect(() => parsePositive('window', '0')).toThrow('--window must be a positive number, not "0"');
    expect(() => parsePositive('runs', undefined)).toThrow('--runs must be a positive number, not ""');
  });
});
