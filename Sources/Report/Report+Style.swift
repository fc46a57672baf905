extension Report {
    /// The page's style sheet: the system's own fonts (nothing is fetched), charts two or three
    /// to a row on a wide screen and one on a narrow one, tables with numbers aligned.
    static let css = """
        :root { color-scheme: light; }
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
               font-size: 15px; line-height: 1.45; color: #1d1d1f; background: #ffffff; margin: 0 auto; padding: 24px 28px 48px; max-width: 1500px; }
        h1 { font-size: 1.55rem; margin: 0 0 2px; }
        h2 { font-size: 1.2rem; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #e3e3e6; }
        code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
        .meta, .note { color: #5f6368; }
        .note { font-size: 0.88rem; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
        th, td { padding: 4px 12px 4px 6px; text-align: left; border-bottom: 1px solid #ececef; vertical-align: middle; }
        thead th { font-weight: 600; border-bottom: 2px solid #d2d2d7; white-space: nowrap; }
        td.number, th.number { text-align: right; white-space: nowrap; }
        td.best { font-weight: 700; }
        td.path { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.85rem; }
        td.key { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.85rem; }
        table.diff td { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.85rem; }
        td.changed { background: #fff3cd; }
        tr.group th { background: #f5f5f7; font-weight: 600; }
        ul.changes { padding-left: 18px; }
        ul.changes li { margin: 3px 0; }
        .swatch { vertical-align: middle; margin-right: 6px; }
        .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 18px 26px; }
        figure { margin: 0; }
        figure.chart figcaption { font-weight: 600; margin-bottom: 2px; }
        svg.plot { width: 100%; height: auto; display: block; }
        svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; fill: #3c3c43; }
        .grid { stroke: #e6e6ea; stroke-width: 1; }
        .frame { fill: none; stroke: #b9b9c0; stroke-width: 1; }
        .tick-mark { stroke: #b9b9c0; }
        .tick { font-size: 12px; }
        .tick.y { text-anchor: end; dominant-baseline: middle; }
        .tick.x { text-anchor: middle; }
        .axis-label { font-size: 12.5px; text-anchor: middle; fill: #1d1d1f; }
        .series path { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
        .series circle { stroke-width: 1.5; }
        ul.legend { list-style: none; margin: 4px 0 0; padding: 0 0 0 56px; display: flex; flex-wrap: wrap; gap: 2px 16px; font-size: 0.86rem; }
        ul.legend.splits { margin-top: 0; color: #5f6368; }
        ul.legend li { white-space: nowrap; }
        figure.confusion { margin: 10px 0 26px; }
        figure.confusion figcaption { font-weight: 600; margin-bottom: 6px; }
        svg.matrix { max-width: 100%; height: auto; }
        .class-label { font-size: 11px; }
        .class-label.row { text-anchor: end; dominant-baseline: middle; }
        .class-label.column { text-anchor: start; }
        .cell { stroke: #ffffff; stroke-width: 1; }
        .count { font-size: 11px; text-anchor: middle; dominant-baseline: middle; }
        .count.light { fill: #ffffff; }
        .side-by-side { display: flex; flex-wrap: wrap; gap: 12px 40px; align-items: flex-start; }
        """
}
