"""Issue 11's benchmark and estimate: data-parallel steps on this machine, and on paper on K machines.
Prints two markdown tables (and writes every measurement as JSON).

    python3 tools/bench/distributed.py                     # the seed's two-output model and a wider one
    python3 tools/bench/distributed.py --rounds 1 --steps 10   # quicker

Measured here, with synthetic batches (`specrun bench`), each configuration `--rounds` times (the
smallest median is kept: on a shared machine the other work only ever adds time):
- one process with the whole machine at the batch sizes a share would have on K = 1, 2, 4, 8, 16
  machines (the spec's batch 32 split K ways): the compute of a step on one of K machines;
- `mpirun -n 2` and `-n 4` at the spec's batch: the step with the gradient sum in it (which holds
  the wait for the slowest process) and the sum alone (all processes starting it together).

On paper, for K machines like this one joined by a network: a step costs the measured compute of
its share plus a ring allreduce of the gradients (which carry the losses too),
2(K-1)/K * bytes / bandwidth + 2(K-1) * latency. Speed-up is one machine's step time over that.
`--from FILE` prints the tables again from a run's JSON.
"""
import argparse, atexit, json, os, shutil, subprocess, sys, tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLASSES = ["--classes", "alphabet=30", "--classes", "character=964"]
# The wider model: two convolutions of 32 and 64 channels and a 512-unit layer (8.9M parameters).
WIDE = """
        - conv2d: {out: 32, kernel: 3, padding: 1}
        - maxpool2d: {kernel: 2}
        - elu
        - conv2d: {out: 64, kernel: 3, padding: 1}
        - maxpool2d: {kernel: 2}
        - elu
        - flatten
        - linear: {out: 512}
"""
NETWORKS = [("10 Gbit/s Ethernet, TCP", 10e9 / 8, 25e-6), ("100 Gbit/s InfiniBand/RoCE", 100e9 / 8, 5e-6)]
MACHINES = [1, 2, 4, 8, 16]


def wide_spec(folder):
    with open(os.path.join(ROOT, "specs", "omniglot_two_output.yaml")) as f:
        text = f.read()
    old = """
        - conv2d: {out: 16, kernel: 3, padding: 1}
        - maxpool2d: {kernel: 2}
        - elu
        - flatten
        - linear: {in: 16384, out: 128}
"""
    assert old in text
    path = os.path.join(folder, "omniglot_wide.yaml")
    with open(path, "w") as f:
        f.write(text.replace(old, WIDE).replace("name: omniglot_two_output", "name: omniglot_wide"))
    return path


def bench(specrun, spec, steps, batch=None, processes=1):
    cmd = [specrun, "bench", spec, "--steps", str(steps), "--format", "json"] + CLASSES
    if batch:
        cmd += ["--batch-size", str(batch)]
    if processes > 1:
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-n", str(processes)] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def best(runs, key):
    return min(r[key] for r in runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--specrun", default=os.path.join(ROOT, ".build", "release", "specrun"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--json", default="distributed-bench.json")
    parser.add_argument("--from", dest="source", help="a run's JSON: print its tables without measuring")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="specrun-distributed-")
    atexit.register(shutil.rmtree, folder, True)
    specs = [os.path.join(ROOT, "specs", "omniglot_two_output.yaml"), wide_spec(folder)]
    with open("/proc/loadavg") as f:
        load_before = f.read().split()[0]

    results = {}
    if args.source:
        with open(args.source) as f:
            saved = json.load(f)
        results = {(k.split()[0], int(k.split()[1]), int(k.split()[2])): v for k, v in saved.items()}
    for rnd in range(0 if args.source else args.rounds):
        for spec in specs:
            name = os.path.basename(spec)[:-5]
            steps = args.steps if "wide" not in name else max(3, args.steps // 3)
            for k in MACHINES:
                results.setdefault((name, 1, 32 // k), []).append(bench(args.specrun, spec, steps, batch=32 // k))
            for k in [2, 4]:
                results.setdefault((name, k, 32), []).append(bench(args.specrun, spec, steps, processes=k))
    with open("/proc/loadavg") as f:
        load_after = f.read().split()[0]
    if not args.source:
        with open(args.json, "w") as f:
            json.dump({" ".join(map(str, k)): v for k, v in results.items()}, f, indent=1)
        print(f"Measured: {args.rounds} rounds, the smallest median of each; load average {load_before} before, {load_after} after.\n")
    print("| model | parameters (gradient MB) | processes | batch per process | step ms | forward | backward | gradient sum in step | sum alone |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for (name, k, batch), runs in sorted(results.items(), key=lambda kv: (kv[0][0], kv[0][1], -kv[0][2])):
        if k == 1 and batch not in (32, 16, 8):
            continue
        params = runs[0]["parameters"]
        cells = [name, f"{params:,} ({params * 4 / 1e6:.1f})", str(k), str(batch // k)]
        cells += ["%.2f" % best(runs, key) for key in ["ms_per_step_median", "forward_ms_median", "backward_ms_median"]]
        cells += ["%.2f" % best(runs, "exchange_ms_median") if k > 1 else "", "%.2f" % best(runs, "allreduce_ms_median") if k > 1 else ""]
        print("| " + " | ".join(cells) + " |")

    print("\nEstimated speed-up on K machines like this one (the spec's batch of 32 split K ways):\n")
    print("| model | network | " + " | ".join(f"K = {k}" for k in MACHINES[1:]) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in MACHINES[1:]) + " |")
    for spec in specs:
        name = os.path.basename(spec)[:-5]
        one = best(results[(name, 1, 32)], "ms_per_step_median") / 1000
        gradient_bytes = 4 * results[(name, 1, 32)][0]["parameters"]
        for network, bandwidth, latency in NETWORKS:
            cells = []
            for k in MACHINES[1:]:
                compute = best(results[(name, 1, 32 // k)], "ms_per_step_median") / 1000
                ring = 2 * (k - 1) / k * gradient_bytes / bandwidth + 2 * (k - 1) * latency
                step = compute + ring
                cells.append(f"{one / step:.2f}x ({step * 1000:.1f} ms: {compute * 1000:.1f} + {ring * 1000:.1f})")
            print(f"| {name} | {network} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
