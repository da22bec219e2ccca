"""snowflake-local's model worker: runs one model version's logged Python handler, as a warehouse does.

Started as `python -X snowflake_import_directory=<package> handler_worker.py <package> <module.function>`
with the package folder (MANIFEST.yml, functions/, model/) and the manifest's handler. Reads one JSON
request per line on stdin: {"id": n, "columns": [...], "rows": [[value, ...], ...]} where a BINARY value
arrives as {"$binary": "<base64>"}; calls the handler with a pandas DataFrame of those columns and writes
{"id": n, "ok": true, "rows": [object or null, ...]} or {"id": n, "ok": false, "error": "..."} on stdout.
"""
import base64
import importlib
import json
import math
import sys
import traceback


def decode_value(value):
    if isinstance(value, dict) and "$binary" in value:
        return base64.b64decode(value["$binary"])
    return value


def plain(value):
    """numpy / pandas scalars and NaN -> JSON values."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def to_rows(result, count):
    """The handler's answer (a Series / list of objects, or a DataFrame of columns) -> one object per row."""
    import pandas

    if isinstance(result, pandas.DataFrame):
        rows = [plain(row) for row in result.to_dict("records")]
    else:
        rows = [plain(row) for row in list(result)]
    if len(rows) != count:
        raise ValueError("the handler answered %d rows for %d inputs" % (len(rows), count))
    for i, row in enumerate(rows):
        if row is not None and not isinstance(row, dict):
            raise ValueError("row %d: the handler answered %s, not an object" % (i + 1, type(row).__name__))
    return rows


def main():
    package, handler = sys.argv[1], sys.argv[2]
    sys.path.insert(0, package)
    module_name, _, function_name = handler.rpartition(".")
    function = None
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            import pandas

            if function is None:
                function = getattr(importlib.import_module(module_name), function_name)
            columns = request["columns"]
            rows = [[decode_value(v) for v in row] for row in request["rows"]]
            frame = pandas.DataFrame(rows, columns=columns)
            answer = {"id": request["id"], "ok": True, "rows": to_rows(function(frame), len(rows))}
        except Exception as error:  # every failure goes back to the statement that asked
            answer = {"id": request["id"], "ok": False, "error": "%s: %s" % (type(error).__name__, error), "traceback": traceback.format_exc(limit=8)}
        out.write(json.dumps(answer, allow_nan=False) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
