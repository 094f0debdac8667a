// presenceLine: the projector's "Sendai 23 · Ulaanbaatar 19 · UNDRR 4".
import assert from "node:assert/strict";
import { test } from "node:test";

import { presenceLine } from "../src/views/present-status.js";

test("presence by organisation, the largest first, empty ones left out", () => {
  assert.equal(presenceLine({ UNDRR: 4, Sendai: 23, Ulaanbaatar: 19, Empty: 0 }), "Sendai 23 · Ulaanbaatar 19 · UNDRR 4");
  assert.equal(presenceLine({ B: 2, A: 2 }), "A 2 · B 2");
  assert.equal(presenceLine({}), "");
  assert.equal(presenceLine(undefined), "");
});
