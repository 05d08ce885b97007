# mockloop's Python test driver. Runs inside the sandbox: loads the
# candidate's solution.py, calls the function on each case's arguments and
# writes one result line per case to a private copy of stdout, each line
# prefixed with this run's nonce. The candidate's own prints are captured
# per case (bounded), so they can neither flood the results nor pose as one;
# the server compares the values itself, so no line can claim a pass.
import importlib.util
import io
import json
import os
import sys
import traceback

SOLUTION = "/sandbox/solution.py"


def main():
    with open("/sandbox/input.json", encoding="utf-8") as f:
        spec = json.load(f)
    nonce = spec["nonce"]
    cap = spec["output_cap"]
    results = os.fdopen(os.dup(1), "w", encoding="utf-8")

    def emit(record, value_json=None):
        text = json.dumps(record, ensure_ascii=False)
        if value_json is not None:
            text = text[:-1] + ', "value": ' + value_json + "}"
        results.write(nonce + " " + text + "\n")
        results.flush()

    class Capture(io.TextIOBase):
        def __init__(self):
            self.parts = []
            self.size = 0

        def writable(self):
            return True

        def write(self, s):
            s = str(s)
            room = cap - self.size
            if room > 0:
                self.parts.append(s[:room])
                self.size += min(len(s), room)
            return len(s)

        def text(self):
            return "".join(self.parts)

    def capture():
        c = Capture()
        sys.stdout = c
        sys.stderr = c
        return c

    def describe(e):
        line = None
        if isinstance(e, SyntaxError) and e.filename == SOLUTION:
            line = e.lineno
        for frame in traceback.extract_tb(e.__traceback__):
            if frame.filename == SOLUTION:
                line = frame.lineno
        text = type(e).__name__
        if str(e):
            text += ": " + str(e)
        if line is not None:
            text += " (line %d)" % line
        return text[:1000]

    def convert(o):
        if hasattr(o, "tolist"):
            return o.tolist()
        if hasattr(o, "item"):
            return o.item()
        raise TypeError("a %s is not a JSON value" % type(o).__name__)

    out = capture()
    try:
        loader = importlib.util.spec_from_file_location("solution", SOLUTION)
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
        fn = getattr(module, spec["function"], None)
        if not callable(fn):
            raise NameError("no function named %r" % spec["function"])
    except BaseException as e:
        emit({"kind": "load_error", "error": describe(e), "output": out.text()})
        return
    emit({"kind": "loaded", "output": out.text()})
    for index, args in enumerate(spec["cases"]):
        out = capture()
        try:
            value = fn(*args)
            try:
                value_json = json.dumps(value, allow_nan=False, default=convert)
            except (TypeError, ValueError) as e:
                raise TypeError("the return value is not JSON: %s" % e) from None
        except BaseException as e:
            emit({"kind": "case", "index": index, "ok": False, "error": describe(e), "output": out.text()})
            continue
        emit({"kind": "case", "index": index, "ok": True, "output": out.text()}, value_json)
    emit({"kind": "done"})


main()
