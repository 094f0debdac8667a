// The browser's copy of the question-language rule (protocol/lang_detect.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { detectTextLang } from "../src/lang-detect.js";

test("the script decides; no letters or a tie say nothing", () => {
  assert.equal(detectTextLang("避難所の基準は何ですか？"), "ja");
  assert.equal(detectTextLang("防災計画"), "ja");
  assert.equal(detectTextLang("ﾊｻﾞｰﾄﾞﾏｯﾌﾟ"), "ja");
  assert.equal(detectTextLang("Хоргодох байрыг хэрхэн сонгодог вэ?"), "mn");
  assert.equal(detectTextLang("ᠮᠣᠩᠭᠣᠯ"), "mn");
  assert.equal(detectTextLang("How are shelters chosen?"), "en");
  assert.equal(detectTextLang("SMS の配信は何秒で届きますか？"), "ja");
  assert.equal(detectTextLang("2030?"), null);
  assert.equal(detectTextLang("ab вг"), null);
});
