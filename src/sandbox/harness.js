// mockloop's JavaScript test driver. Runs inside the sandbox: loads the
// candidate's solution.js, calls the function on each case's arguments and
// writes one result line per case straight to fd 1, each line prefixed with
// this run's nonce. The candidate's console output is captured per case
// (bounded), so it can neither flood the results nor pose as one; the
// server compares the values itself, so no line can claim a pass.
'use strict';
const fs = require('fs');
const util = require('util');

const SOLUTION = '/sandbox/solution.js';
const spec = JSON.parse(fs.readFileSync('/sandbox/input.json', 'utf8'));

function emitText(text) {
  let data = Buffer.from(spec.nonce + ' ' + text + '\n', 'utf8');
  while (data.length > 0) {
    try {
      data = data.subarray(fs.writeSync(1, data));
    } catch (e) {
      // stdout may be a non-blocking pipe the server has not drained yet.
      if (e.code !== 'EAGAIN') throw e;
    }
  }
}

function emit(record) {
  emitText(JSON.stringify(record));
}

let captured = '';
function capture() {
  captured = '';
  const write = (...parts) => {
    const room = spec.output_cap - captured.length;
    if (room > 0) captured += (util.format(...parts) + '\n').slice(0, room);
  };
  for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir']) console[name] = write;
  const raw = (chunk) => {
    const room = spec.output_cap - captured.length;
    if (room > 0) captured += String(chunk).slice(0, room);
    return true;
  };
  process.stdout.write = raw;
  process.stderr.write = raw;
}

function describe(e) {
  let text;
  if (e instanceof Error) {
    text = e.name + (e.message ? ': ' + e.message : '');
    const line = /solution\.js:(\d+)/.exec(String(e.stack));
    if (line) text += ' (line ' + line[1] + ')';
  } else {
    text = 'thrown: ' + util.inspect(e);
  }
  return text.slice(0, 1000);
}

async function main() {
  capture();
  let fn;
  try {
    fn = require(SOLUTION);
    if (typeof fn !== 'function') throw new ReferenceError('no function named ' + spec.function);
  } catch (e) {
    emit({ kind: 'load_error', error: describe(e), output: captured });
    return;
  }
  emit({ kind: 'loaded', output: captured });
  for (let index = 0; index < spec.cases.length; index++) {
    capture();
    let record;
    try {
      let value = fn(...spec.cases[index]);
      if (value && typeof value.then === 'function') value = await value;
      if (value === undefined) throw new TypeError('the function returned undefined');
      record = JSON.stringify({ kind: 'case', index, ok: true, output: captured, value });
    } catch (e) {
      emit({ kind: 'case', index, ok: false, error: describe(e), output: captured });
      continue;
    }
    emitText(record);
  }
  emit({ kind: 'done' });
}

main();
