'use strict';
// Turns anything thrown into one printable line, whatever it is: an Error whose `message` getter
// throws, a Proxy whose traps throw, a Symbol, an object without prototype. Control characters
// (terminal escape sequences, carriage returns, newlines) are shown as \u escapes, so a message
// cannot rewrite the terminal or fake extra lines.

function guard(fn, fallback) {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function printable(text, max = 300) {
  // eslint-disable-next-line no-control-regex
  const s = String(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** The first line of an error's message (or a description of a non-error), printable. */
function safeMessage(e) {
  const msg = guard(() => {
    if (typeof e === 'symbol') return e.toString();
    if (e !== null && typeof e === 'object') {
      const m = e.message;
      if (typeof m === 'string') return m.split('\n')[0];
      return `threw ${Object.prototype.toString.call(e)}`;
    }
    return typeof e === 'string' ? JSON.stringify(e) : String(e);
  }, '(an error that cannot be shown)');
  return printable(msg);
}

/** The error's stack, if it has a readable one. */
function safeStack(e) {
  return guard(() => (e !== null && typeof e === 'object' && typeof e.stack === 'string' ? e.stack : undefined), undefined);
}

module.exports = { safeMessage, safeStack, printable };
