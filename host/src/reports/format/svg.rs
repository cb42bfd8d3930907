//! The charts, drawn with plotters' SVG backend: bars for a daily series, a
//! weekday × hour heatmap, a line with alert markers for the mood. Plain
//! `<rect>`, `<polyline>`, `<circle>`, `<polygon>` and `<text>` elements
//! with a generic font family, so they need no font files, no script and
//! no network, and print as they show.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 200;
/// Room for the axis labels.
const LEFT: u32 = 40;
const BOTTOM: u32 = 28;

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

/// Draws a chart with plotters' SVG backend and gives it the report's
/// frame: `class="chart"`, its title as `<title>` and `aria-label`. A chart
/// plotters cannot draw (it never should) is left empty with its title:
/// the report is never lost for a chart.
fn chart(
    title: &str,
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> String {
    let mut inner = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut inner, (width, height)).into_drawing_area();
        draw(&root).and_then(|()| root.present().map_err(|e| e.to_string()))
    };
    let body = match drawn {
        // plotters' own `<svg …>` opening tag is replaced by the report's.
        Ok(()) => inner
            .find('>')
            .map(|end| {
                inner[end + 1..]
                    .trim_end()
                    .trim_end_matches("</svg>")
                    .to_string()
            })
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    format!(
        r#"<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{t}"><title>{t}</title>{body}</svg>"#,
        t = esc(title)
    )
}

/// The report's blue, and its red for alerts.
const BLUE: RGBColor = RGBColor(0x3b, 0x6e, 0xa8);
const RED: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
const AXIS_FONT: (&str, u32) = ("sans-serif", 11);

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

/// The label of day (or hour) slot `x` under an axis: every one when they
/// fit, else some.
fn slot_label(labels: &[String], x: &SegmentValue<usize>) -> String {
    let every = label_every(labels.len());
    match x {
        SegmentValue::CenterOf(i) if i % every == 0 => labels
            .get(*i)
            .map(|l| short_date(l).to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// One bar per day, labelled with its value.
pub fn bars(title: &str, labels: &[String], values: &[f64]) -> String {
    chart(title, WIDTH, HEIGHT, |root| {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let n = values.len().max(1);
        let max = axis_max(values.iter().cloned().fold(0.0, f64::max));
        let mut c = ChartBuilder::on(root)
            .margin(8)
            .x_label_area_size(BOTTOM)
            .y_label_area_size(LEFT)
            .build_cartesian_2d((0..n).into_segmented(), 0f64..max * 1.12)
            .map_err(|e| e.to_string())?;
        c.configure_mesh()
            .disable_mesh()
            .x_labels(n)
            .y_labels(3)
            .x_label_formatter(&|x| slot_label(labels, x))
            .y_label_formatter(&|y| {
                if y.fract() == 0.0 {
                    format!("{y:.0}")
                } else {
                    format!("{y}")
                }
            })
            .label_style(AXIS_FONT)
            .draw()
            .map_err(|e| e.to_string())?;
        // Bars take 70 % of their slot; values above them when they fit.
        let slot = (WIDTH - LEFT - 16) / n as u32;
        c.draw_series(
            Histogram::vertical(&c)
                .style(BLUE.filled())
                .margin(slot * 15 / 100)
                .data(values.iter().enumerate().map(|(i, v)| (i, *v))),
        )
        .map_err(|e| e.to_string())?;
        if values.len() <= 31 {
            c.draw_series(
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(i, v)| {
                        Text::new(
                            format!("{v}"),
                            (SegmentValue::CenterOf(i), *v + max * 0.02),
                            ("sans-serif", 10)
                                .into_font()
                                .color(&BLACK)
                                .pos(Pos::new(HPos::Center, VPos::Bottom)),
                        )
                    }),
            )
            .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
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
    let (width, height) = (44 + 24 * 22 + 8, 28 + 7 * 22 + 8);
    chart(title, width, height, |root| {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let max = grid.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
        // Monday at the top: row 0 is drawn highest.
        let mut c = ChartBuilder::on(root)
            .margin_right(8)
            .margin_bottom(8)
            .top_x_label_area_size(20)
            .y_label_area_size(44)
            .build_cartesian_2d((0..24usize).into_segmented(), (0..7usize).into_segmented())
            .map_err(|e| e.to_string())?;
        c.configure_mesh()
            .disable_mesh()
            .axis_style(WHITE)
            .x_labels(24)
            .y_labels(7)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(h) if h % 3 == 0 => format!("{h}h"),
                _ => String::new(),
            })
            .y_label_formatter(&|y| match y {
                SegmentValue::CenterOf(r) if *r < 7 => weekdays[6 - r].to_string(),
                _ => String::new(),
            })
            .label_style(AXIS_FONT)
            .draw()
            .map_err(|e| e.to_string())?;
        let cells: Vec<(usize, usize, u64)> = grid
            .iter()
            .enumerate()
            .take(7)
            .flat_map(|(d, row)| {
                row.iter()
                    .enumerate()
                    .take(24)
                    .map(move |(h, n)| (d, h, *n))
            })
            .collect();
        let corners = |d: usize, h: usize| {
            [
                (SegmentValue::Exact(h), SegmentValue::Exact(6 - d)),
                (SegmentValue::Exact(h + 1), SegmentValue::Exact(7 - d)),
            ]
        };
        c.draw_series(cells.iter().map(|&(d, h, count)| {
            // Light grey for none, then from light to dark blue.
            let shade = if count == 0 {
                RGBColor(0xf2, 0xf2, 0xf2)
            } else {
                let t = count as f64 / max;
                let mix = |from: f64, to: f64| (from + (to - from) * t).round() as u8;
                RGBColor(mix(200.0, 20.0), mix(220.0, 60.0), mix(240.0, 130.0))
            };
            Rectangle::new(corners(d, h), shade.filled())
        }))
        .map_err(|e| e.to_string())?;
        // White lines between the cells.
        c.draw_series(
            cells
                .iter()
                .map(|&(d, h, _)| Rectangle::new(corners(d, h), WHITE.stroke_width(2))),
        )
        .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// The daily mean sentiment on a −1…1 axis, with a red triangle above
/// each day that had an alert (`class="alert"`: its only polygons).
pub fn mood_line(title: &str, labels: &[String], means: &[Option<f64>], alerts: &[u64]) -> String {
    mood_chart(title, labels, means, alerts).replace("<polygon", "<polygon class=\"alert\"")
}

fn mood_chart(title: &str, labels: &[String], means: &[Option<f64>], alerts: &[u64]) -> String {
    chart(title, WIDTH, HEIGHT, |root| {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let n = labels.len().max(1);
        let mut c = ChartBuilder::on(root)
            .margin(8)
            .x_label_area_size(BOTTOM)
            .y_label_area_size(LEFT)
            .build_cartesian_2d((0..n).into_segmented(), -1.15f64..1.25f64)
            .map_err(|e| e.to_string())?;
        c.configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .y_labels(5)
            .x_label_formatter(&|x| slot_label(labels, x))
            .y_label_formatter(&|y| match *y {
                y if (y - 1.0).abs() < 1e-6 => "+1".into(),
                y if y.abs() < 1e-6 => "0".into(),
                y if (y + 1.0).abs() < 1e-6 => "−1".into(),
                _ => String::new(),
            })
            .label_style(AXIS_FONT)
            .draw()
            .map_err(|e| e.to_string())?;
        let points: Vec<(SegmentValue<usize>, f64)> = means
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.map(|m| (SegmentValue::CenterOf(i), m.clamp(-1.0, 1.0))))
            .collect();
        if points.len() > 1 {
            c.draw_series(LineSeries::new(
                points.iter().cloned(),
                BLUE.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        }
        c.draw_series(
            points
                .iter()
                .map(|p| Circle::new(p.clone(), 3.5, BLUE.filled())),
        )
        .map_err(|e| e.to_string())?;
        // Alerts: a red triangle pointing down at the top of their day.
        let slot = f64::from(WIDTH - LEFT - 16) / n as f64;
        c.draw_series(
            alerts
                .iter()
                .enumerate()
                .take(n)
                .filter(|(_, a)| **a > 0)
                .map(|(i, _)| {
                    let top = (SegmentValue::CenterOf(i), 1.2);
                    let half = (slot * 0.25).min(7.0) as i32;
                    EmptyElement::at(top)
                        + Polygon::new(vec![(-half, -6), (half, -6), (0, 6)], RED.filled())
                }),
        )
        .map_err(|e| e.to_string())?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts of an SVG's `<text>` elements, trimmed.
    fn texts(svg: &str) -> Vec<&str> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim()))
            .collect()
    }

    #[test]
    fn charts_are_plain_svg_with_their_data() {
        let labels = vec!["2026-11-22".to_string(), "2026-11-23".to_string()];
        let svg = bars("Messages <by day>", &labels, &[3.0, 7.0]);
        assert!(svg.starts_with("<svg class=\"chart\"") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 1, "{svg}");
        assert_eq!(
            svg.matches("fill=\"#3B6EA8\"").count(),
            2,
            "one bar a day: {svg}"
        );
        assert!(svg.contains("<title>Messages &lt;by day&gt;</title>"));
        let words = texts(&svg);
        assert!(!words.is_empty(), "{svg}");
        assert!(
            words.contains(&"11-22") && words.contains(&"11-23"),
            "{words:?}"
        );
        assert!(words.contains(&"7"), "the value above its bar: {words:?}");
        assert_eq!(short_date("09:00"), "09:00");
        let mood = mood_line("Mood", &labels, &[Some(0.2), None], &[0, 2]);
        assert_eq!(
            mood.matches("<polygon class=\"alert\"").count(),
            1,
            "one alert: {mood}"
        );
        assert_eq!(mood.matches("<circle").count(), 1, "{mood}");
        let mut grid = vec![vec![0; 24]; 7];
        grid[6][10] = 4;
        let heat = heatmap("Heat", &["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"], &grid);
        assert_eq!(
            heat.matches("fill=\"#F2F2F2\"").count(),
            7 * 24 - 1,
            "{heat}"
        );
        assert_eq!(
            heat.matches("fill=\"#143C82\"").count(),
            1,
            "the darkest cell"
        );
        let words = texts(&heat);
        assert!(words.contains(&"9h") && words.contains(&"Su"), "{words:?}");
        assert_eq!(axis_max(7.0), 10.0);
        assert_eq!(axis_max(11.0), 15.0);
        assert_eq!(axis_max(110.0), 150.0);
    }
}
