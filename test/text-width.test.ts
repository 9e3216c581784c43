import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { textWidth } from '../src/reporters/text-width.js';

describe('textWidth', () => {
  // string-width is the reference; kfscan leaves it out of the table only to spare its start-up cost.
  it.each([
    ['', 0],
    ['istio-system/istio-ingressgateway', 33],
    ['tensorflow/tensorflow:latest-gpu', 32],
    ['名前空間', 8],
    ['ｆｕｌｌｗｉｄｔｈ', 18],
    ['café', 4],
    ['cafe\u0301', 4],
    ['a\u200bb', 2],
    ['Ünïcödé naïve', 13],
    ['한국어 이름', 11],
    ['⛏ miner', 7],
  ])('%j is %i columns, as string-width says', (text, width) => {
    expect(textWidth(text)).toBe(width);
    expect(stringWidth(text)).toBe(width);
  });

  it('counts an emoji ZWJ sequence per part, where string-width counts the cluster once', () => {
    expect(stringWidth('👩‍💻')).toBe(2);
    expect(textWidth('👩‍💻')).toBe(4);
  });
});
