import assert from "node:assert/strict";
import { test } from "node:test";

import { promptText } from "../src/views/prompts.js";

test("a prompt is read in the reader's language, else the event's order, with its lang", () => {
  const prompt = { en: "What led you here?", mn: "Юу түлхэц болсон бэ?" };
  assert.deepEqual(promptText(prompt, "mn"), { text: "Юу түлхэц болсон бэ?", lang: "mn" });
  assert.deepEqual(promptText(prompt, "ja"), { text: "What led you here?", lang: "en" });
  assert.deepEqual(promptText("Why?", "ja"), { text: "Why?", lang: null });
});
