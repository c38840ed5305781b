import { createPeerLab } from '/work/wt/netlab/test/netlab/peers.ts';
const pl = await createPeerLab({ roots: 2, homes: ['eim', 'eim'], publicPeers: 0 });
try {
  const t0 = Date.now();
  const [a, b] = await Promise.all([pl.startPeer('eim'), pl.startPeer('eim')]);
  console.log('ready in', Date.now() - t0, JSON.stringify({ a: { ...a, process: undefined, host: undefined }, b: b.advertised }));
  console.log(JSON.stringify(await a.connect(b, { bytes: 4 << 20, directWaitMs: 20_000 })));
} finally {
  await pl.close();
}
