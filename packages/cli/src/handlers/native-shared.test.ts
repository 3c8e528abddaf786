import { describe, expect, it } from 'vitest';
import { exampleList, listFlag } from './native-shared.js';

describe('listFlag', () => {
  it('splits a comma-separated value and is undefined when the flag is absent', () => {
    expect(listFlag('a, b,,c', 'target', 'devkit native build --target a')).toEqual(['a', 'b', 'c']);
    expect(listFlag(undefined, 'target', 'x')).toBeUndefined();
  });

  it('refuses an empty list with exit 2 and the command given as the fix', () => {
    expect(() => listFlag(' , ', 'builder', 'devkit native images --builder bullseye')).toThrow(expect.objectContaining({ code: 'E_USAGE', exitCode: 2, hint: 'devkit native images --builder bullseye' }));
    expect(() => listFlag(true, 'builder', 'devkit native images --builder bullseye')).toThrow('--builder needs one name or more');
  });

  it('offers the declared names as the example, or the placeholder', () => {
    expect(exampleList(['a', 'b'], '<name>')).toBe('a,b');
    expect(exampleList([], '<name>')).toBe('<name>');
  });
});
