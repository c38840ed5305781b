// Endpoints are read strictly (one spelling, parsed by @multiformats/multiaddr and the URL
// parser) and each names a host whose scope decides whether a member may announce it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AddressScope,
  hostScope,
  nonPublicEndpoint,
  parseHttpEndpoint,
  parseIpv6,
  parseListenMultiaddr,
  parseP2pEndpoint,
  ShapeError,
} from '../../src/governance/index.ts';

test('hosts are classified by address range, or by the shape of a name', () => {
  const cases: [string, AddressScope][] = [
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['localhost', 'loopback'],
    ['api.localhost', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd00::1', 'private'],
    ['::ffff:10.1.1.1', 'private'],
    ['::ffff:c0a8:101', 'private'],
    ['alpha', 'private'],
    ['db.internal', 'private'],
    ['nas.home.arpa', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['printer.local', 'link-local'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['ff02::1', 'reserved'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['203.0.113.7', 'public'],
    ['2001:db8::1', 'public'],
    ['2a00:1450::1', 'public'],
    ['root.example.org', 'public'],
  ];
  for (const [host, scope] of cases) assert.equal(hostScope(host), scope, host);
});

test('IPv6 literals are read with :: and a dotted IPv4 tail, and refused when malformed', () => {
  assert.deepEqual(parseIpv6('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(parseIpv6('1::'), [1, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(parseIpv6('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
  assert.deepEqual(parseIpv6('1:2:3:4:5:6:7:8'), [1, 2, 3, 4, 5, 6, 7, 8]);
  for (const bad of ['1:2:3', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '::g', '1.2.3.4', ':::'])
    assert.equal(parseIpv6(bad), undefined, bad);
});

test('p2p endpoints: a host, a TCP port, optionally WebSockets; one spelling; no /p2p/', () => {
  for (const ok of [
    '/dns4/root.example.org/tcp/4480',
    '/dns6/root.example.org/tcp/4480',
    '/ip4/203.0.113.7/tcp/4480',
    '/ip6/2001:db8::1/tcp/443/wss',
    '/dns4/root.example.org/tcp/443/tls/ws',
  ])
    assert.equal(parseP2pEndpoint(ok, 'p'), ok);
  const refused: [string, RegExp][] = [
    ['/ip4/root.example.org/tcp/4480', /p is not a multiaddr: Invalid IPv4 address/],
    ['/dns4/root example/tcp/4480', /not a DNS name/],
    ['/dns4/Root.Example.org/tcp/4480', /not a DNS name/],
    ['/dns4/1.2.3.4/tcp/4480', /not a DNS name/],
    ['/ip4/1.2.3.4/udp/4480', /then \/tcp\/<port>/],
    ['/tcp/4480', /must start with/],
    ['/ip4/1.2.3.4/tcp/0', /port 0/],
    ['/ip4/1.2.3.4/tcp/70000', /not a multiaddr/],
    ['/ip4/1.2.3.4/tcp/1/http', /only \/ws/],
    ['/ip6/0:0:0:0:0:0:0:1/tcp/1', /must be written as \/ip6\/::1\/tcp\/1/],
    ['/ip4/1.2.3.4/tcp/1/p2p/12D3KooWQ5kX', /leave out \/p2p/],
    ['root.example.org', /not a multiaddr/],
  ];
  for (const [bad, why] of refused) {
    assert.throws(
      () => parseP2pEndpoint(bad, 'p'),
      (e: unknown) => e instanceof ShapeError && why.test(e.message),
      bad,
    );
  }
});

test('listen addresses are IP multiaddrs, unspecified and port 0 allowed; names are not', () => {
  assert.equal(parseListenMultiaddr('/ip4/0.0.0.0/tcp/4480', 'l'), '/ip4/0.0.0.0/tcp/4480');
  assert.equal(parseListenMultiaddr('/ip6/::/tcp/0/ws', 'l'), '/ip6/::/tcp/0/ws');
  assert.throws(() => parseListenMultiaddr('/dns4/root.example.org/tcp/4480', 'l'), /IP address/);
  assert.throws(() => parseListenMultiaddr('/ip4/300.0.0.1/tcp/4480', 'l'), /not a multiaddr/);
});

test('HTTP endpoints: normalised http(s) URLs whose host is a name or an address', () => {
  assert.equal(parseHttpEndpoint('https://root.example.org/', 'h'), 'https://root.example.org/');
  assert.equal(parseHttpEndpoint('http://[2001:db8::1]:8480/', 'h'), 'http://[2001:db8::1]:8480/');
  for (const bad of [
    'https://root.example.org',
    'https://ROOT.example.org/',
    'https://u:p@root.example.org/',
    'https://root.example.org/?a=1',
    'ftp://root.example.org/',
    'https://root_1.example.org/',
    'not a url',
  ])
    assert.throws(() => parseHttpEndpoint(bad, 'h'), ShapeError, bad);
});

test('the first non-public endpoint of a list is named with its scope', () => {
  assert.equal(nonPublicEndpoint(['/dns4/a.example/tcp/1', 'https://a.example/']), undefined);
  assert.deepEqual(nonPublicEndpoint(['https://a.example/', 'http://127.0.0.1:8480/']), {
    endpoint: 'http://127.0.0.1:8480/',
    scope: 'loopback',
  });
  assert.deepEqual(nonPublicEndpoint(['/ip6/fd12::1/tcp/4480']), {
    endpoint: '/ip6/fd12::1/tcp/4480',
    scope: 'private',
  });
});
