//! The charts, written as inline SVG by hand: bars for a daily series, a
//! weekday × hour heatmap, a line with alert markers for the mood. Plain
//! `<rect>`, `<polyline>` and `<text>` elements with the page's font, so
//! they need no font files, no script and no network, and print as they
//! show.

use std::fmt::Write;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
/// Room for the axis labels.
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 36.0;
const TOP: f64 = 12.0;

/// Escapes text for HTML and SVG.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn open(out: &mut String, title: &str, width: f64, height: f64) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = esc(title)
    );
}

/// A nice upper bound for an axis.
fn axis_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    for step in [1.0, 1.5, 2.0, 2.5, 5.0, 10.0] {
        if step * magnitude >= max {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

/// Day labels under the x axis: every one when they fit, else some.
fn label_every(n: usize) -> usize {
    n.div_ceil(12).max(1)
}

/// One bar per day, labelled with its value.
pub fn bars(title: &str, labels: &[String], values: &[f64]) -> String {
    let mut out = String::new();
    open(&mut out, title, WIDTH, HEIGHT);
    let max = axis_max(values.iter().cloned().fold(0.0, f64::max));
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / values.len().max(1) as f64;
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" y1="{y}" x2="{x2}" y2="{y}" stroke="#888"/><text x="{lx}" y="{ty}" text-anchor="end" class="axis">{max}</text><text x="{lx}" y="{y}" text-anchor="end" class="axis">0</text>"##,
        y = TOP + plot_h,
        x2 = WIDTH - 8.0,
        lx = LEFT - 4.0,
        ty = TOP + 8.0,
    );
    let every = label_every(values.len());
    for (i, (label, value)) in labels.iter().zip(values).enumerate() {
        let h = value / max * plot_h;
        let x = LEFT + i as f64 * slot + slot * 0.15;
        let w = slot * 0.7;
        let y = TOP + plot_h - h;
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="#3b6ea8"><title>{l}: {value}</title></rect>"##,
            l = esc(label)
        );
        if values.len() <= 31 && *value > 0.0 {
            let _ = write!(
                out,
                r#"<text x="{cx:.1}" y="{ty:.1}" text-anchor="middle" class="value">{value}</text>"#,
                cx = x + w / 2.0,
                ty = y - 2.0
            );
        }
        if i % every == 0 {
            let _ = write!(
                out,
                r#"<text x="{cx:.1}" y="{ly:.1}" text-anchor="middle" class="axis">{l}</text>"#,
                cx = x + w / 2.0,
                ly = HEIGHT - BOTTOM + 14.0,
                l = esc(short_date(label))
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// `2026-11-22` → `11-22` under an axis; other labels (`09:00`) as they are.
fn short_date(label: &str) -> &str {
    match label.as_bytes() {
        [_, _, _, _, b'-', _, _, b'-', _, _] => &label[5..],
        _ => label,
    }
}

/// A 7 × 24 grid, darker for more messages, with weekday and hour labels.
pub fn heatmap(title: &str, weekdays: &[&str; 7], grid: &[Vec<u64>]) -> String {
    let cell = 22.0;
    let left = 44.0;
    let top = 18.0;
    let width = left + 24.0 * cell + 8.0;
    let height = top + 7.0 * cell + 8.0;
    let mut out = String::new();
    open(&mut out, title, width, height);
    let max = grid.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    for hour in (0..24).step_by(3) {
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="12" text-anchor="middle" class="axis">{hour}h</text>"#,
            x = left + hour as f64 * cell + cell / 2.0
        );
    }
    for (d, row) in grid.iter().enumerate().take(7) {
        let y = top + d as f64 * cell;
        let _ = write!(
            out,
            r#"<text x="{x}" y="{ty:.1}" text-anchor="end" class="axis">{w}</text>"#,
            x = left - 4.0,
            ty = y + cell * 0.7,
            w = esc(weekdays[d])
        );
        for (h, count) in row.iter().enumerate().take(24) {
            // White for none, then from light to dark blue.
            let shade = if *count == 0 {
                "#f2f2f2".to_string()
            } else {
                let t = *count as f64 / max;
                let mix = |from: f64, to: f64| (from + (to - from) * t).round() as u8;
                format!(
                    "#{:02x}{:02x}{:02x}",
                    mix(200.0, 20.0),
                    mix(220.0, 60.0),
                    mix(240.0, 130.0)
                )
            };
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{w:.1}" fill="{shade}"><title>{wd} {h}h: {count}</title></rect>"#,
                x = left + h as f64 * cell,
                w = cell - 2.0,
                wd = esc(weekdays[d])
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// The daily mean sentiment on a −1…1 axis, with a red triangle above
/// each day that had an alert (`alerts[i]` of them).
pub fn mood_line(title: &str, labels: &[String], means: &[Option<f64>], alerts: &[u64]) -> String {
    let mut out = String::new();
    open(&mut out, title, WIDTH, HEIGHT);
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / labels.len().max(1) as f64;
    let x_of = |i: usize| LEFT + i as f64 * slot + slot / 2.0;
    let y_of = |v: f64| TOP + (1.0 - (v.clamp(-1.0, 1.0) + 1.0) / 2.0) * plot_h;
    for (v, label) in [(1.0, "+1"), (0.0, "0"), (-1.0, "−1")] {
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="{c}"/><text x="{lx}" y="{ty:.1}" text-anchor="end" class="axis">{label}</text>"##,
            y = y_of(v),
            x2 = WIDTH - 8.0,
            c = if v == 0.0 { "#888" } else { "#ddd" },
            lx = LEFT - 4.0,
            ty = y_of(v) + 4.0
        );
    }
    let points: Vec<String> = means
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.map(|m| format!("{:.1},{:.1}", x_of(i), y_of(m))))
        .collect();
    if points.len() > 1 {
        let _ = write!(
            out,
            r##"<polyline points="{}" fill="none" stroke="#3b6ea8" stroke-width="2"/>"##,
            points.join(" ")
        );
    }
    let every = label_every(labels.len());
    for (i, label) in labels.iter().enumerate() {
        if let Some(Some(m)) = means.get(i) {
            let _ = write!(
                out,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="#3b6ea8"><title>{l}: {m:+.2}</title></circle>"##,
                x = x_of(i),
                y = y_of(*m),
                l = esc(label)
            );
        }
        if let Some(n) = alerts.get(i).filter(|n| **n > 0) {
            let (x, y) = (x_of(i), TOP + 2.0);
            let _ = write!(
                out,
                r##"<path class="alert" d="M{x:.1},{b:.1} L{l:.1},{y:.1} L{r:.1},{y:.1} Z" fill="#c0392b"><title>{t}: {n}</title></path>"##,
                b = y + 10.0,
                l = x - 6.0,
                r = x + 6.0,
                t = esc(label)
            );
        }
        if i % every == 0 {
            let _ = write!(
                out,
                r#"<text x="{x:.1}" y="{y:.1}" text-anchor="middle" class="axis">{l}</text>"#,
                x = x_of(i),
                y = HEIGHT - BOTTOM + 14.0,
                l = esc(short_date(label))
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_plain_svg_with_their_data() {
        let labels = vec!["2026-11-22".to_string(), "2026-11-23".to_string()];
        let svg = bars("Messages <by day>", &labels, &[3.0, 7.0]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("Messages &lt;by day&gt;"));
        assert!(svg.contains(">11-23<"));
        assert_eq!(short_date("09:00"), "09:00");
        let mood = mood_line("Mood", &labels, &[Some(0.2), None], &[0, 2]);
        assert_eq!(mood.matches("class=\"alert\"").count(), 1);
        assert_eq!(mood.matches("<circle").count(), 1);
        let mut grid = vec![vec![0; 24]; 7];
        grid[6][10] = 4;
        let heat = heatmap("Heat", &["M", "T", "W", "T", "F", "S", "S"], &grid);
        assert_eq!(heat.matches("<rect").count(), 7 * 24);
        assert!(heat.contains("S 10h: 4"));
        assert_eq!(axis_max(7.0), 10.0);
        assert_eq!(axis_max(11.0), 15.0);
        assert_eq!(axis_max(110.0), 150.0);
    }
}
