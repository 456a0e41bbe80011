const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Parses JSON with every number turned into a string holding its exact source text
 * (`{"c":178.08}` → `{ c: "178.08" }`), so no price ever passes through float64 on the way in.
 *
 * How: one pass copies the text, skipping over strings (escapes included) and wrapping each number
 * token outside a string in quotes; `JSON.parse` then does the real parsing and rejects anything
 * that was not valid JSON. A schema reading the result sees numbers as decimal text.
 */
export function parseJsonNumbersAsText(text: string): unknown {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m === null) {
        i++;
        continue;
      }
      out += `${text.slice(copied, i)}"${m[0]}"`;
      i = NUMBER.lastIndex;
      copied = i;
    } else {
      i++;
    }
  }
  return JSON.parse(out + text.slice(copied));
}
