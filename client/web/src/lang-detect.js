// The language of a question from its script (issue 14), the same rule as the server's
// protocol/lang_detect.py: kana or kanji -> ja, Cyrillic or Mongolian script -> mn, Latin
// letters -> en; the script with the most letters wins; no letters or a tie -> null.

const RANGES = [
  [0x3040, 0x30ff, "ja"], [0x31f0, 0x31ff, "ja"], [0xff66, 0xff9f, "ja"],
  [0x3400, 0x4dbf, "ja"], [0x4e00, 0x9fff, "ja"], [0xf900, 0xfaff, "ja"],
  [0x0400, 0x052f, "mn"], [0x1800, 0x18af, "mn"],
  [0x41, 0x5a, "en"], [0x61, 0x7a, "en"], [0xc0, 0x24f, "en"],
];

function langOf(point) {
  for (const [lo, hi, lang] of RANGES) if (point >= lo && point <= hi) return lang;
  return null;
}

/** "ja", "mn", "en", or null when the text's script says nothing. */
export function detectTextLang(text) {
  const counts = { ja: 0, mn: 0, en: 0 };
  for (const char of String(text)) {
    const lang = langOf(char.codePointAt(0));
    if (lang) counts[lang] += 1;
  }
  const best = Math.max(...Object.values(counts));
  if (best === 0) return null;
  const winners = Object.keys(counts).filter((lang) => counts[lang] === best);
  return winners.length === 1 ? winners[0] : null;
}
