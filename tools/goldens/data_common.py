"""Golden writer for the DataPipeline tests: one JSON file per family in
Tests/DataPipelineTests/Goldens, with the generating script and library versions recorded."""
import json
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "Tests", "DataPipelineTests", "Goldens")


def write(family, cases, **versions):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, family + ".json")
    with open(path, "w") as f:
        json.dump({"generator": f"tools/goldens/{family}.py", **versions, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(path, ROOT)}")
