import { createPeerLab } from './peers.ts';

const pl = await createPeerLab({ roots: 2, homes: ['eim', 'eim'], publicPeers: 0 });
try {
  const [a, b] = await Promise.all([pl.startPeer('eim'), pl.startPeer('eim')]);
  const r = a.connect(b, { bytes: 4 << 20, directWaitMs: 20_000 });
  for (const t of [4000, 9500, 12000]) {
    await new Promise((res) => setTimeout(res, t === 4000 ? 4000 : t === 9500 ? 5500 : 2500));
    for (const h of pl.lab.homes) {
      const ct = await pl.lab.exec(h.router, 'cat', ['/proc/net/nf_conntrack']);
      console.log(
        t,
        h.router.ns.slice(-4),
        ct
          .split('\n')
          .filter((l) => l.includes('dport=40001') && !l.includes('dport=4001 '))
          .map((l) => l.replace(/0000:/g, '').slice(0, 200))
          .join('\n   '),
      );
      console.log(
        '   ss',
        (await pl.lab.exec(h.host, 'ss', ['-tan']))
          .split('\n')
          .filter((l) => l.includes('40001') && !l.includes(':4001 '))
          .join(' | '),
      );
    }
  }
  console.log(JSON.stringify(await r));
} finally {
  await pl.close();
}
