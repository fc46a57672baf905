"""The benchmark zoo: specrun against hand-written PyTorch on the models users write, side by side
in one run, on one machine. Prints a markdown table (and writes every measurement as JSON).

    swift build -c release
    python3 tools/bench/zoo.py --python /tmp/torchenv/bin/python

For each model: `specrun bench specs/zoo/<model>.yaml` (synthetic batch, whole training steps),
then tools/bench/zoo_torch.py with PyTorch's CPU defaults, then with its best settings (fused
optimizer; channels-last where it is faster), each in a fresh process, on the same thread count.
The machine's sgemm peak (at 2048^3: torch's MKL, numpy's OpenBLAS and, when tools/bench/kernels
is built, specrun's own product; the highest) is measured at the start and at the end of the same
run; GFLOP/s count 3x the graph's forward FLOPs per sample (forward + backward), the same count for
both engines. When the environment sets OPENBLAS_CORETYPE, numpy's sgemm is also timed without it
(OpenBLAS's own kernel choice), and the table is followed by specrun's shares of that number.

`--repeat R` runs the whole sequence R times and reports, per engine, the median of the R runs
(each run's number is itself the median step), or with `--statistic best` the fastest run: on a
machine shared with other jobs, a run that lost a core to them says little about either engine,
and PyTorch's OpenMP threads suffer far more from that than specrun's (a 10x slower step is common).

To add a model: a spec under specs/zoo, a builder in zoo_torch.py's MODELS, and a row in ZOO.
"""
import argparse, json, os, statistics, subprocess, sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TORCH_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zoo_torch.py")

# (label, spec, torch model, batch, timed steps, specrun --classes)
ZOO = [
    ("omniglot_two_output", "specs/omniglot_two_output.yaml", "omniglot_two_output", 32, 60, ["alphabet=8", "character=242"]),
    ("lenet5", "specs/zoo/lenet5.yaml", "lenet5", 64, 100, ["digit=10"]),
    ("cifar_cnn", "specs/zoo/cifar_cnn.yaml", "cifar_cnn", 64, 20, ["label=10"]),
    ("cifar_cnn", "specs/zoo/cifar_cnn.yaml", "cifar_cnn", 256, 8, ["label=10"]),
    ("separable_cnn", "specs/zoo/separable_cnn.yaml", "separable_cnn", 64, 30, ["label=10"]),
    ("mlp_bn", "specs/zoo/mlp_bn.yaml", "mlp_bn", 128, 60, ["label=10"]),
    ("mlp_bn", "specs/zoo/mlp_bn.yaml", "mlp_bn", 256, 40, ["label=10"]),
    ("residual_mlp", "specs/zoo/residual_mlp.yaml", "residual_mlp", 256, 30, ["label=10"]),
    ("tiny_mlp", "specs/zoo/tiny_mlp.yaml", "tiny_mlp", 1, 3000, []),
]


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    return [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]


def sgemm_peak(python, threads, kernelbench):
    peak = run([python, TORCH_SCRIPT, "--sgemm", "--threads", str(threads)])[-1]
    if os.path.exists(kernelbench):  # specrun's own product: on AVX-512 builds it outruns both
        peak.update(run([kernelbench, "peak"])[-1])
    if "OPENBLAS_CORETYPE" in os.environ:
        # The environment holds OpenBLAS (numpy's too) to one kernel family. The peak stays what
        # the engines reach as this environment runs them, and the header also says what numpy's
        # OpenBLAS reaches on kernels of its own choosing, so the two can be told apart.
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
        unpinned = run([python, TORCH_SCRIPT, "--sgemm", "--threads", str(threads)], env=env)[-1]
        peak["numpy_unpinned_sgemm_gflops"] = unpinned["numpy_sgemm_gflops"]
    return peak


def load():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", required=True, help="a Python with torch 2.13 CPU and numpy")
    ap.add_argument("--specrun", default=os.path.join(ROOT, ".build", "release", "specrun"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--step-scale", type=float, default=1.0, help="multiply every model's timed steps")
    ap.add_argument("--repeat", type=int, default=1, help="run the sequence this many times")
    ap.add_argument("--statistic", choices=["median", "best"], default="median", help="across the repeated runs")
    ap.add_argument("--only", nargs="*", help="these models only")
    ap.add_argument("--json", default="zoo-results.json")
    ap.add_argument("--kernelbench", default=os.path.join(ROOT, "tools", "bench", "kernels", ".build", "release", "kernelbench"),
                    help="times specrun's own sgemm for the peak when built "
                         "(swift build -c release --package-path tools/bench/kernels)")
    a = ap.parse_args()
    zoo = [z for z in ZOO if not a.only or z[0] in a.only]
    os.environ["SPECRUN_THREADS"] = str(a.threads)  # specrun's thread count; zoo_torch.py takes --threads

    peaks = [sgemm_peak(a.python, a.threads, a.kernelbench)]
    loads = [load()]
    results = {f"{label}@{batch}": {"specrun": [], "default": [], "best": []} for label, _, _, batch, _, _ in zoo}
    for _ in range(a.repeat):
        for label, spec, model, batch, steps, classes in zoo:
            steps = max(3, int(steps * a.step_scale))
            r = results[f"{label}@{batch}"]
            cmd = [a.specrun, "bench", spec, "--batch-size", str(batch), "--steps", str(steps), "--warmup", str(a.warmup),
                   "--format", "json"]
            for c in classes:
                cmd += ["--classes", c]
            r["specrun"].append(run(cmd)[0])
            for variant in ["default", "best"]:
                r[variant].append(run([a.python, TORCH_SCRIPT, model, "--batch-size", str(batch), "--steps", str(steps),
                                       "--warmup", str(a.warmup), "--threads", str(a.threads), "--variant", variant])[-1])
            loads.append(load())
            print(f"measured {label} at batch {batch}", file=sys.stderr)
    peaks.append(sgemm_peak(a.python, a.threads, a.kernelbench))
    engines = ["torch", "numpy"] + (["specrun"] if "specrun_sgemm_gflops" in peaks[0] else [])
    peak = max(p[f"{e}_sgemm_gflops"] for p in peaks for e in engines)
    with open(a.json, "w") as f:
        json.dump({"sgemm": peaks, "load_averages": loads, "results": results}, f, indent=1)

    def median(rows, key):
        return statistics.median(row[key] for row in rows)

    def throughput(rows):
        values = [row["samples_per_s"] for row in rows]
        return max(values) if a.statistic == "best" else statistics.median(values)

    first = results[next(iter(results))]
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    print(f"specrun: {first['specrun'][0]['engine']}" + (f" (OPENBLAS_CORETYPE={coretype} in the environment)" if coretype else "")
          + f"; PyTorch {first['default'][0]['torch']} ({peaks[0]['cpu_capability']} kernels); {a.threads} threads; "
          + (f"{a.repeat} runs, the {'fastest' if a.statistic == 'best' else 'median'} of each engine's" if a.repeat > 1 else "1 run"))
    print(f"sgemm 2048^3 on {a.threads} threads, GFLOP/s (start, end): "
          + "; ".join(", ".join(f"{e} {p[f'{e}_sgemm_gflops']:.0f}" for e in engines) for p in peaks)
          + f"; peak taken as {peak:.0f}" + ("" if "specrun" in engines else " (specrun's own not measured: kernelbench not built)"))
    unpinned = max(p["numpy_unpinned_sgemm_gflops"] for p in peaks) if all("numpy_unpinned_sgemm_gflops" in p for p in peaks) else None
    if unpinned:
        print(f"numpy's OpenBLAS with OPENBLAS_CORETYPE unset (its own kernel choice), GFLOP/s (start, end): "
              + ", ".join(f"{p['numpy_unpinned_sgemm_gflops']:.0f}" for p in peaks) + " (shares of it below the table)")
    print(f"1-minute load average during the run: {min(loads):.1f} to {max(loads):.1f}\n")
    print("| model | batch | specrun samples/s | PyTorch default | PyTorch best (setting) | ratio vs default | ratio vs best "
          "| specrun GFLOP/s (share of peak) | PyTorch best GFLOP/s (share) | peak RSS specrun / PyTorch best |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    unpinned_shares = []
    for label, _, _, batch, _, _ in zoo:
        r = results[f"{label}@{batch}"]
        mine, default, best = throughput(r["specrun"]), throughput(r["default"]), throughput(r["best"])
        flops = 3 * r["specrun"][0]["forward_flops_per_sample"]
        chosen = max(r["best"], key=lambda row: row["samples_per_s"]) if a.statistic == "best" else r["best"][-1]
        settings = ", ".join(s for s, on in [("fused", chosen["fused_optimizer"]), ("channels-last", chosen["channels_last"])] if on)
        gf_mine, gf_best = mine * flops / 1e9, best * flops / 1e9
        share = lambda g: f"{g:.1f} ({100 * g / peak:.0f}%)" if g >= 1 else "-"
        rss_mine, rss_best = median(r["specrun"], "peak_rss_mib"), median(r["best"], "peak_rss_mib")
        print(f"| {label} | {batch} | {mine:,.0f} | {default:,.0f} | {best:,.0f} ({settings}) | {mine / default:.2f}x "
              f"| {mine / best:.2f}x | {share(gf_mine)} | {share(gf_best)} | {rss_mine:.0f} / {rss_best:.0f} MiB |")
        if unpinned and gf_mine >= 1:
            unpinned_shares.append(f"{label} at {batch} {100 * gf_mine / unpinned:.0f}% (PyTorch best {100 * gf_best / unpinned:.0f}%)")
    if unpinned_shares:
        print(f"\nspecrun's GFLOP/s as shares of numpy's unpinned OpenBLAS ({unpinned:.0f}): " + ", ".join(unpinned_shares))


if __name__ == "__main__":
    main()
