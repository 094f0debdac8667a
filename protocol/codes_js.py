"""protocol/codes.py as a JavaScript module, so the browser client reads the same registry.

STYLE.md ("one source for each rule"): which error codes are worth a retry and which
close codes mean "resume" is written once, in `protocol.codes`; the browser's copy is
generated from it and committed, and tests/protocol/test_codes.py fails when it is stale:

    python -m protocol.codes_js > client/web/src/codes.js
"""

from __future__ import annotations

import json
import sys

from protocol.codes import CloseCode, ErrorCode

COMMAND = "python -m protocol.codes_js > client/web/src/codes.js"

_HEAD = f"""\
// Generated from protocol/codes.py by `{COMMAND}`:
// do not edit (tests/protocol/test_codes.py checks that it is current). What each error code
// and each close code means to a client: retry or not, resume or stop (docs/protocol.md).
"""

_FUNCTIONS = """\
const own = (table, key) => Object.prototype.hasOwnProperty.call(table, key);

/** True when the same command may succeed if sent again later. Unknown codes: false. */
export function isRetryable(code) {
  return own(RETRYABLE, code) && RETRYABLE[code];
}

/**
 * True when the client should reconnect and resume after close `code`. A code the registry
 * does not name (1005: no code, 1006: connection lost, a proxy's own) resumes too.
 */
export function shouldResume(code) {
  return own(RESUME, code) ? RESUME[code] : true;
}
"""


def _table(doc: str, name: str, pairs: list[tuple[str, object]]) -> str:
    rows = "".join(f"  {key}: {json.dumps(value)},\n" for key, value in pairs)
    return f"/** {doc} */\nexport const {name} = Object.freeze({{\n{rows}}});\n"


def render() -> str:
    """The text of client/web/src/codes.js for the registry as it is now."""
    tables = [
        _table(
            "Error codes of `err` replies -> whether sending the command again may succeed.",
            "RETRYABLE",
            [(json.dumps(str(code)), code.retryable) for code in ErrorCode],
        ),
        _table(
            "Close codes the server uses -> whether the client reconnects and resumes.",
            "RESUME",
            [(str(int(code)), code.resume) for code in CloseCode],
        ),
        _table(
            "The error codes by name, as in protocol/codes.py.",
            "ErrorCode",
            [(code.name, str(code)) for code in ErrorCode],
        ),
        _table(
            "The close codes by name, as in protocol/codes.py.",
            "CloseCode",
            [(code.name, int(code)) for code in CloseCode],
        ),
    ]
    return "\n".join([_HEAD, *tables, _FUNCTIONS])


def main() -> None:
    """Write the module to standard output."""
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
