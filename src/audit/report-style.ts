// The HTML audit report's style sheet, inlined in the page (no external resource): system fonts,
// colours that pass WCAG AA contrast on their backgrounds (the verdict's words and symbols say
// what the colours say), a layout that reflows on a phone, and print rules — no navigation or
// folded section (the JSON, the chart's data) on paper, verdict colours kept, nothing split
// across pages that need not be.

export const REPORT_STYLE = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff;max-width:72rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.75rem;margin:0}
h2{font-size:1.35rem;margin:2.25rem 0 .75rem;padding-bottom:.25rem;border-bottom:1px solid #d0d7de}
h3{font-size:1.1rem;margin:1.25rem 0 .25rem}
h4{font-size:1rem;margin:.75rem 0 .25rem}
p{margin:.4rem 0}
.muted,.meta{color:#57606a}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.875em;overflow-wrap:anywhere}
nav ol{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;list-style:none;padding:0;margin:.75rem 0}
a{color:#0550ae}
.verdict{border:2px solid;border-left-width:.75rem;border-radius:6px;padding:.75rem 1.25rem;margin:1.25rem 0}
.verdict h2{border:0;margin:0;padding:0;font-size:1.6rem;color:inherit}
.verdict ul{margin:.5rem 0 0;padding-left:1.25rem}
.verified{color:#0f5323;background:#dafbe1;border-color:#1a7f37}
.violations,.violation{color:#82071e;background:#ffebe9;border-color:#cf222e}
.incomplete{color:#6b4300;background:#fff8c5;border-color:#9a6700}
.badge{display:inline-block;padding:0 .45em;border:1px solid;border-radius:4px;font-weight:600;white-space:nowrap}
article.violation{border:1px solid;border-left-width:.5rem;border-radius:6px;padding:.25rem 1rem .5rem;margin:1rem 0}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.25rem 1rem;margin:.5rem 0}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{text-align:left;vertical-align:top;padding:.3rem .6rem;border-bottom:1px solid #d0d7de}
thead th{border-bottom:2px solid #8c959f}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.bad{color:#82071e;font-weight:600}
.roots{display:grid;grid-template-columns:repeat(auto-fit,minmax(26rem,1fr));gap:0 2rem}
table.root th[scope=row]{width:7rem;font-weight:600}
table.root td{overflow-wrap:anywhere}
ol.timeline{list-style:none;margin:1rem 0;padding:0 0 0 1.25rem;border-left:3px solid #d0d7de}
ol.timeline>li{margin:0 0 1.75rem;position:relative}
ol.timeline>li::before{content:"";position:absolute;left:-1.78rem;top:.45rem;width:.8rem;height:.8rem;border-radius:50%;background:#fff;border:3px solid #57606a}
ol.timeline>li.world::before{border-color:#0550ae;background:#0550ae}
ul.changes{margin:.25rem 0;padding-left:1.25rem}
.note{border-left:4px solid #9a6700;background:#fff8c5;color:#6b4300;padding:.4rem .75rem}
figure{margin:.5rem 0}
svg.chart{width:100%;max-width:60rem;height:auto;display:block}
svg .grid{stroke:#d0d7de;stroke-width:1}
svg .axis{stroke:#57606a;stroke-width:1.5}
svg .series{fill:none;stroke:#0550ae;stroke-width:2.5}
svg .point{fill:#0550ae;stroke:#fff;stroke-width:1}
svg .tick,svg .label{fill:#424a53;font:12px system-ui,sans-serif}
figcaption{color:#57606a}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.8rem;background:#f6f8fa;padding:1rem;border-radius:6px}
summary{cursor:pointer;font-weight:600}
@media (max-width:40rem){body{padding:1rem}.roots{grid-template-columns:1fr}dl{grid-template-columns:1fr}table{font-size:.875rem}th,td{padding:.25rem .3rem}}
@media print{
 body{max-width:none;padding:0;font-size:10.5pt}
 nav,details:not([open]){display:none}
 .verdict,.badge,.note,article.violation,td.bad{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 h2,h3,h4{break-after:avoid}
 table,article,figure,ol.timeline>li{break-inside:avoid}
 a{color:inherit;text-decoration:none}
}
`;
