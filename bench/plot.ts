// A small SVG line plot of memory per session against N, for the README.
type Row = { n: number; manager: { perSessionMb: number }; bare: { perSessionMb: number } };

export function memoryPlot(rows: Row[]): string {
  const W = 480, H = 260, L = 60, B = 40, T = 30, R = 120;
  const maxN = Math.max(...rows.map((r) => r.n));
  const maxY = Math.max(0.1, ...rows.flatMap((r) => [r.manager.perSessionMb, r.bare.perSessionMb])) * 1.2;
  const x = (n: number) => L + (n / maxN) * (W - L - R);
  const y = (v: number) => H - B - (v / maxY) * (H - B - T);
  const line = (key: 'manager' | 'bare', color: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${rows.map((r) => `${x(r.n)},${y(r[key].perSessionMb)}`).join(' ')}"/>` +
    rows.map((r) => `<circle cx="${x(r.n)}" cy="${y(r[key].perSessionMb)}" r="3" fill="${color}"/><text x="${x(r.n) + 5}" y="${y(r[key].perSessionMb) - 5}" font-size="10">${r[key].perSessionMb.toFixed(2)}</text>`).join('');
  const ticks = rows.map((r) => `<text x="${x(r.n)}" y="${H - B + 15}" font-size="11" text-anchor="middle">${r.n}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${L}" y="18" font-size="13">RSS per session (MB) against the number of sessions N</text>
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#444"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#444"/>
${ticks}<text x="${(L + W - R) / 2}" y="${H - 8}" font-size="11" text-anchor="middle">N</text>
<text x="14" y="${(T + H - B) / 2}" font-size="11" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">MB per session</text>
${line('manager', '#059669')}${line('bare', '#6b7280')}
<text x="${W - R + 10}" y="${T + 20}" font-size="11" fill="#059669">console manager</text>
<text x="${W - R + 10}" y="${T + 36}" font-size="11" fill="#6b7280">bare Baileys + files</text>
</svg>
`;
}
