"""Issue 5's table: specrun against the PyTorch reference on the seed workloads, side by side on
this machine, in one run. Prints a markdown table (and writes every measurement as JSON).

    python3 tools/bench/seed_workloads.py --python /tmp/torchenv/bin/python --data ../shared/data

For each workload:
- engine only: `specrun bench` on the spec's real data held in memory, against the reference's
  `--mode tensor` (data decoded once, batches sliced from tensors) and against the spec's own
  PyTorch twin (`export-torch`, timed in the same `specrun bench` invocation);
- end to end: `specrun train` (decoding included) against the reference's `--mode seed`
  (Dataset + DataLoader, per-item decode), median epoch after a warm-up epoch on both sides,
  with each process's peak RSS from /usr/bin/time.
Also: `specrun validate` of 100 specs, and specrun's time from start to its first batch.
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORKLOADS = [  # (spec, reference workload, extra reference args, epochs for end to end)
    ("water_mlp", "water_mlp", [], 4),
    ("water_bn", "water_bn", [], 4),
    ("omniglot_two_input", "omniglot_two_input", [], 3),
    ("omniglot_two_output", "omniglot_two_output", ["--lr", "0.01"], 3),
]
TARGETS = {"water_mlp": (30, 10), "water_bn": (10, 5), "omniglot_two_input": (3, 3), "omniglot_two_output": (3, 3)}


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    return p


def timed(cmd):
    """Runs cmd under /usr/bin/time -v; returns (stdout, wall seconds, peak RSS MiB)."""
    start = time.perf_counter()
    p = run(["/usr/bin/time", "-v"] + cmd)
    wall = time.perf_counter() - start
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    return p.stdout, wall, rss


def json_lines(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", required=True, help="a Python with torch 2.13 CPU, pillow, numpy")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--reference", default=os.path.join(ROOT, "..", "shared", "reference", "torch_reference.py"))
    ap.add_argument("--specrun", default=os.path.join(ROOT, ".build", "release", "specrun"))
    ap.add_argument("--steps", type=int, default=100, help="timed steps for the engine-only runs")
    ap.add_argument("--json", default="bench-results.json")
    ap.add_argument("--only", nargs="*", help="these workloads only")
    a = ap.parse_args()
    workloads = [w for w in WORKLOADS if not a.only or w[0] in a.only]
    results = {}
    work = tempfile.mkdtemp(prefix="specrun-bench-")
    try:
        for spec, workload, ref_args, epochs in workloads:
            r = results[spec] = {}
            steps = a.steps * (20 if spec.startswith("water") else 1)
            out = run([a.specrun, "bench", f"specs/{spec}.yaml", "--data-root", a.data, "--steps", str(steps), "--warmup", "10",
                       "--compare-torch", a.python, "--format", "json"], cwd=ROOT).stdout
            mine, twin = json_lines(out)[:2]
            r["bench"], r["twin"] = mine, twin
            ref = json_lines(run([a.python, a.reference, workload, "--mode", "tensor", "--epochs", "3", "--data", a.data] + ref_args).stdout)[-1]
            r["reference_tensor"] = ref
            # End to end: specrun train, median epoch after the first (its decoding epoch), vs --mode seed.
            folder = os.path.join(work, spec)
            text, wall, rss = timed([a.specrun, "train", f"specs/{spec}.yaml", "--data-root", a.data, "--epochs", str(epochs),
                                     "--out", folder])
            rows = [json.loads(l) for l in open(os.path.join(folder, "metrics.jsonl")) if '"train"' in l]
            startup = re.search(r"first batch ([0-9.]+)s", text)
            r["train"] = {"epoch_samples_per_s": [row["samples_per_s"] for row in rows], "wall_s": wall, "peak_rss_mib": rss,
                          "startup_s": float(startup.group(1)) if startup else None}
            text, wall, rss = timed([a.python, a.reference, workload, "--mode", "seed", "--epochs", str(epochs - 1), "--data", a.data] + ref_args)
            r["reference_seed"] = {**json_lines(text)[-1], "wall_s": wall, "peak_rss_mib": rss}
            print(f"measured {spec}", file=sys.stderr)

        specs = os.path.join(work, "specs")
        os.makedirs(specs)
        for i in range(100):
            name = WORKLOADS[i % 4][0]
            shutil.copy(os.path.join(ROOT, "specs", f"{name}.yaml"), os.path.join(specs, f"s{i:03}.yaml"))
        start = time.perf_counter()
        run([a.specrun, "validate"] + sorted(os.path.join(specs, f) for f in os.listdir(specs)))
        results["validate_100_s"] = time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)

    with open(a.json, "w") as f:
        json.dump(results, f, indent=1)
    print("| workload | batch | engine only: specrun / PyTorch tensor (ratio; target) | vs the spec's PyTorch twin "
          "| end to end: specrun train / PyTorch seed (ratio; target) | peak RSS specrun / PyTorch |")
    print("| --- | --- | --- | --- | --- | --- |")
    for spec, _, _, _ in workloads:
        r = results[spec]
        mine, twin, ref = r["bench"]["samples_per_s"], r["twin"]["samples_per_s"], r["reference_tensor"]["samples_per_s"]
        train = statistics.median(r["train"]["epoch_samples_per_s"][1:])
        seed = r["reference_seed"]["samples_per_s"]
        e_target, x_target = TARGETS[spec]
        print(f"| {spec} | {r['bench']['batch_size']} | {mine:,.0f} / {ref:,.0f} samples/s ({mine / ref:.1f}x; {e_target}x) "
              f"| {mine / twin:.1f}x ({twin:,.0f}) | {train:,.0f} / {seed:,.0f} samples/s ({train / seed:.1f}x; {x_target}x) "
              f"| {r['train']['peak_rss_mib']:.0f} / {r['reference_seed']['peak_rss_mib']:.0f} MiB |")
    startups = [r["train"]["startup_s"] for s, r in results.items() if isinstance(r, dict) and "train" in r and r["train"]["startup_s"]]
    print(f"\nspecrun validate of 100 specs: {results['validate_100_s']:.3f} s; "
          f"start to first batch: {', '.join(f'{s:.2f}' for s in startups)} s")


if __name__ == "__main__":
    main()
