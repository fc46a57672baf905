/// The part of the exported file that is the same for every spec except for class counts: the
/// benchmark loop and the command line.
extension TorchExport {
    static func script(_ graph: Graph) -> [String] {
        let classes = needsClasses(graph)
        var sections = [bench, benchLayers, peakRSS]
        if classes { sections.append(parseClasses) }
        sections.append(parseArguments(classes))
        sections.append(main(classes))
        return [sections.joined(separator: "\n\n\n"), "", "", "if __name__ == \"__main__\":", "    main()"]
    }

    private static let bench = """
        def bench(model, optimizer, inputs, targets, args):
            \"\"\"Warm-up steps, then timed steps: the JSON record described at the top of this file.\"\"\"
            model.train()
            warmup_start = time.perf_counter()
            for _ in range(args.warmup):
                train_step(model, optimizer, inputs, targets)
            warmup_seconds = time.perf_counter() - warmup_start
            forward_ms, backward_ms, optimizer_ms = [], [], []
            for _ in range(args.steps):
                loss, forward_s, backward_s, optimizer_s = train_step(model, optimizer, inputs, targets)
                forward_ms.append(forward_s * 1000)
                backward_ms.append(backward_s * 1000)
                optimizer_ms.append(optimizer_s * 1000)
            step_ms = [f + b + o for f, b, o in zip(forward_ms, backward_ms, optimizer_ms)]
            final_loss = loss.item()
            return {
                "spec": SPEC_NAME,
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "batch_size": args.batch_size,
                "parameters": sum(p.numel() for p in model.parameters()),
                "warmup_steps": args.warmup,
                "warmup_ms_total": round(warmup_seconds * 1000, 3),
                "steps": args.steps,
                "ms_per_step_median": round(statistics.median(step_ms), 3),
                "ms_per_step_mean": round(statistics.mean(step_ms), 3),
                "forward_ms_median": round(statistics.median(forward_ms), 3),
                "backward_ms_median": round(statistics.median(backward_ms), 3),
                "optimizer_ms_median": round(statistics.median(optimizer_ms), 3),
                "samples_per_s": round(args.batch_size * 1000 / statistics.median(step_ms), 1),
                "peak_rss_mib": round(peak_rss_mib(), 1),
                "loss": final_loss if math.isfinite(final_loss) else None,
            }
        """

    private static let benchLayers = """
        def bench_layers(model, inputs, args):
            \"\"\"Each layer of each node on its own, on the input it gets in the model: the median forward
            and backward milliseconds over the timed runs, one JSON line per layer. A node's first layer
            gets an input without a gradient when the node reads a model input, as in training.\"\"\"
            model.train()
            captured, hooks = {}, []
            for name, module in model.named_modules():
                node, _, index = name.rpartition(".")
                if node and index.isdigit() and isinstance(model.get_submodule(node), nn.Sequential):
                    hooks.append(module.register_forward_pre_hook(
                        lambda _, args_, key=(node, int(index)): captured.__setitem__(key, args_[0].detach().clone())))
            with torch.no_grad():
                model(**inputs)
            for hook in hooks:
                hook.remove()
            for (node, index), x in captured.items():
                layer = model.get_submodule(f"{node}.{index}")
                needs_grad = not (index == 0 and node in NODES_ON_INPUTS)
                forward_ms, backward_ms = [], []
                for run in range(args.warmup + args.steps):
                    model.zero_grad(set_to_none=True)
                    x_in = x.clone().requires_grad_(needs_grad)
                    start = time.perf_counter()
                    y = layer(x_in)
                    forward_done = time.perf_counter()
                    if y.requires_grad:
                        upstream = torch.randn_like(y)
                        backward_start = time.perf_counter()
                        y.backward(upstream)
                        backward_ms.append((time.perf_counter() - backward_start) * 1000)
                    forward_ms.append((forward_done - start) * 1000)
                print(json.dumps({
                    "node": node, "index": index, "layer": type(layer).__name__, "input_shape": list(x.shape),
                    "forward_ms": round(statistics.median(forward_ms[args.warmup:]), 4),
                    "backward_ms": round(statistics.median(backward_ms[args.warmup:]), 4) if backward_ms else None,
                }))
        """

    private static let peakRSS = """
        def peak_rss_mib():
            \"\"\"Peak resident memory of this process; ru_maxrss is in KiB on Linux, bytes on macOS.\"\"\"
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return peak / 2**20 if sys.platform == "darwin" else peak / 1024
        """

    private static let parseClasses = """
        def parse_classes(parser, entries):
            \"\"\"The --classes entries FIELD=COUNT as a dict, with a count for each of CLASS_FIELDS.\"\"\"
            classes = {}
            for entry in entries:
                field, _, count = entry.partition("=")
                if field not in CLASS_FIELDS or not count.isdigit() or int(count) < 1:
                    parser.error(f"--classes takes FIELD=COUNT, FIELD one of {', '.join(CLASS_FIELDS)} and COUNT at least 1, not {entry!r}")
                classes[field] = int(count)
            missing = [field for field in CLASS_FIELDS if field not in classes]
            if missing:
                parser.error("--classes needs a count for " + ", ".join(missing))
            return classes
        """

    private static func parseArguments(_ classes: Bool) -> String {
        let classesOption = classes ? """

                parser.add_argument("--classes", nargs="+", default=[], metavar="FIELD=COUNT",
                                    help="class count of each label field: " + ", ".join(CLASS_FIELDS))
            """ : ""
        let classesParsing = classes ? "\n    args.classes = parse_classes(parser, args.classes)" : ""
        return """
            def parse_arguments():
                parser = argparse.ArgumentParser(description=f"The spec {SPEC_NAME} in PyTorch, exported by specrun.")\(classesOption)
                parser.add_argument("--load", metavar="FILE", help="load specrun weights (safetensors) with strict=True")
                parser.add_argument("--bench", action="store_true", help="time training steps on synthetic data, print one JSON line")
                parser.add_argument("--bench-layers", action="store_true", help="time each layer's forward and backward, one JSON line each")
                parser.add_argument("--steps", type=int, default=30, help="timed steps (default 30)")
                parser.add_argument("--warmup", type=int, default=5, help="untimed steps before them (default 5)")
                parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"samples per step (default {BATCH_SIZE}, the spec's)")
                parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's choice)")
                parser.add_argument("--seed", type=int, default=SEED, help=f"seed of the model and the data (default {SEED}, the spec's)")
                args = parser.parse_args()
                if args.steps < 1 or args.warmup < 0 or args.batch_size < 1 or (args.threads is not None and args.threads < 1):
                    parser.error("--steps, --batch-size and --threads must be at least 1, --warmup at least 0")\(classesParsing)
                return args
            """
    }

    private static func main(_ classes: Bool) -> String {
        """
        def main():
            args = parse_arguments()
            if args.threads is not None:
                torch.set_num_threads(args.threads)
            torch.manual_seed(args.seed)
            model = \(classes ? "Model(args.classes)" : "Model()")
            if args.load:
                # Imported here so that the script runs without safetensors when nothing is loaded.
                from safetensors.torch import load_file
                model.load_state_dict(load_file(args.load), strict=True)
            if not args.bench and not args.bench_layers:
                print(model)
                print(sum(p.numel() for p in model.parameters()), "parameters" + (", loaded from " + args.load if args.load else ""))
                return
            generator = torch.Generator().manual_seed(args.seed)
            inputs, targets = synthetic_batch(args.batch_size, \(classes ? "args.classes, " : "")generator)
            if args.bench_layers:
                bench_layers(model, inputs, args)
            else:
                print(json.dumps(bench(model, make_optimizer(model), inputs, targets, args)))
        """
    }
}
