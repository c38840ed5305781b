// An independent verifier of a Witan ledger, written against golang.org/x/mod (the reference
// implementation of C2SP signed notes and of tiled transparency logs), not against our code.
//
// It fetches /checkpoint, verifies the signed note with golang.org/x/mod/sumdb/note against
// the log's vkey (cosignature/v1 lines are unknown to that package and must be ignored), then
// checks each cosignature/v1 (c2sp.org/tlog-cosignature) with crypto/ed25519, computes the tree
// hash from hash tiles with golang.org/x/mod/sumdb/tlog (TileHashReader authenticates every
// tile it reads against the checkpoint), checks that every entry bundle hashes to its leaves
// with tlog.RecordHash, and, given an older checkpoint, proves and checks consistency with
// tlog.ProveTree / tlog.CheckTree.
//
// x/mod names tile paths tile/<H>/<L>/<N>[.p/<W>] with the height in the path and "data" for
// record tiles; C2SP tlog-tiles drops the height (always 8) and says "entries". The mapping is
// the one documented difference, done in c2spPath below.
//
// Usage: verifier -url http://127.0.0.1:P -vkey <log vkey> [-cosigner <vkey>]... [-old file] [-save file]
// Prints one JSON object on success; exits 1 with a message on the first failure.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const tileHeight = 8

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// parseCheckpoint reads C2SP tlog-checkpoint note text: origin, decimal size, base64 root hash,
// then optional extension lines.
func parseCheckpoint(text string) (checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if !strings.HasSuffix(text, "\n") || len(lines) < 3 || lines[0] == "" {
		return checkpoint{}, errors.New("checkpoint text is not origin, size, root hash lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("bad tree size %q", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		return checkpoint{}, fmt.Errorf("bad root hash %q", lines[2])
	}
	var root tlog.Hash
	copy(root[:], raw)
	return checkpoint{origin: lines[0], size: size, root: root}, nil
}

// cosignatureVerifier checks cosignature/v1 (type 0x04) signatures: 8-byte big-endian
// timestamp then an Ed25519 signature over "cosignature/v1\ntime <t>\n" || note text.
type cosignatureVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosignatureVerifier) Name() string    { return v.name }
func (v *cosignatureVerifier) KeyHash() uint32 { return v.hash }
func (v *cosignatureVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	signed := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	return ed25519.Verify(v.key, signed, sig[8:])
}

func newCosignatureVerifier(vkey string) (*cosignatureVerifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("bad cosigner vkey %q", vkey)
	}
	material, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(material) != 1+ed25519.PublicKeySize || material[0] != 0x04 {
		return nil, fmt.Errorf("cosigner vkey %q is not a cosignature/v1 Ed25519 key", vkey)
	}
	sum := sha256.Sum256(append([]byte(parts[0]+"\n"), material...))
	hash := binary.BigEndian.Uint32(sum[:4])
	if fmt.Sprintf("%08x", hash) != parts[1] {
		return nil, fmt.Errorf("cosigner vkey %q has the wrong key ID", vkey)
	}
	return &cosignatureVerifier{name: parts[0], hash: hash, key: ed25519.PublicKey(material[1:])}, nil
}

// c2spPath maps an x/mod tile path to C2SP tlog-tiles: drop the height, "data" → "entries".
func c2spPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", tileHeight))
	if strings.HasPrefix(p, "data/") {
		p = "entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

type httpTiles struct {
	base    string
	cache   map[string][]byte
	fetched int
}

func (h *httpTiles) get(path string) ([]byte, error) {
	if b, ok := h.cache[path]; ok {
		return b, nil
	}
	resp, err := http.Get(h.base + "/" + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<24))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /%s: %s %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	h.fetched++
	h.cache[path] = body
	return body, nil
}

func (h *httpTiles) Height() int { return tileHeight }
func (h *httpTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := h.get(c2spPath(t))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}
func (h *httpTiles) SaveTiles([]tlog.Tile, [][]byte) {}

// splitBundle splits a C2SP entry bundle: each entry prefixed by its big-endian uint16 length.
func splitBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("entry bundle is truncated")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			return nil, errors.New("entry bundle is truncated")
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out, nil
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "verifier: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	base := flag.String("url", "", "base URL of the log, e.g. http://127.0.0.1:8480")
	vkey := flag.String("vkey", "", "the log's note verifier key (type 0x01, name = origin)")
	oldFile := flag.String("old", "", "an earlier checkpoint note of this log: prove consistency with it")
	saveFile := flag.String("save", "", "write the verified checkpoint note here")
	skipEntries := flag.Bool("skip-entries", false, "do not check entry bundles")
	var cosigners listFlag
	flag.Var(&cosigners, "cosigner", "a cosigner's cosignature/v1 vkey (repeatable; each must have cosigned)")
	flag.Parse()
	if *base == "" || *vkey == "" {
		fail("-url and -vkey are required")
	}
	start := time.Now()
	tiles := &httpTiles{base: strings.TrimSuffix(*base, "/"), cache: map[string][]byte{}}

	// 1. The checkpoint: the log signature by the origin key, through x/mod/sumdb/note.
	msg, err := tiles.get("checkpoint")
	if err != nil {
		fail("%v", err)
	}
	delete(tiles.cache, "checkpoint")
	logVerifier, err := note.NewVerifier(*vkey)
	if err != nil {
		fail("log vkey: %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(logVerifier))
	if err != nil {
		fail("checkpoint note does not verify against the log key: %v", err)
	}
	if len(n.UnverifiedSigs) < len(cosigners) {
		fail("checkpoint carries %d other signatures, expected at least %d cosignatures", len(n.UnverifiedSigs), len(cosigners))
	}
	cp, err := parseCheckpoint(n.Text)
	if err != nil {
		fail("%v", err)
	}
	if cp.origin != logVerifier.Name() {
		fail("checkpoint origin %q is not the log key's name %q", cp.origin, logVerifier.Name())
	}

	// 2. Every cosignature/v1 by the given cosigners, one at a time.
	for _, c := range cosigners {
		v, err := newCosignatureVerifier(c)
		if err != nil {
			fail("%v", err)
		}
		if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
			fail("cosignature by %s: %v", v.name, err)
		}
	}

	// 3. The tree hash from tiles, authenticated against the checkpoint.
	tree := tlog.Tree{N: cp.size, Hash: cp.root}
	reader := tlog.TileHashReader(tree, tiles)
	th, err := tlog.TreeHash(cp.size, reader)
	if err != nil {
		fail("tree hash from tiles: %v", err)
	}
	if th != cp.root {
		fail("tree hash from tiles %v is not the checkpoint's root %v", th, cp.root)
	}

	// 4. Every entry bundle hashes to the leaf hashes of the authenticated level-0 tiles.
	entries := int64(0)
	if !*skipEntries {
		for k := int64(0); k*256 < cp.size; k++ {
			w := cp.size - k*256
			if w > 256 {
				w = 256
			}
			bundle, err := tiles.get(c2spPath(tlog.Tile{H: tileHeight, L: -1, N: k, W: int(w)}))
			if err != nil {
				fail("%v", err)
			}
			delete(tiles.cache, c2spPath(tlog.Tile{H: tileHeight, L: -1, N: k, W: int(w)}))
			records, err := splitBundle(bundle)
			if err != nil || int64(len(records)) != w {
				fail("entry bundle %d: %d entries, want %d (%v)", k, len(records), w, err)
			}
			indexes := make([]int64, w)
			for j := range indexes {
				indexes[j] = tlog.StoredHashIndex(0, k*256+int64(j))
			}
			hashes, err := reader.ReadHashes(indexes)
			if err != nil {
				fail("leaf hashes of bundle %d: %v", k, err)
			}
			for j, r := range records {
				if tlog.RecordHash(r) != hashes[j] {
					fail("entry %d does not hash to its leaf hash", k*256+int64(j))
				}
			}
			entries += w
		}
	}

	// 5. Consistency with an earlier checkpoint of the same log.
	consistentWith := int64(-1)
	if *oldFile != "" {
		oldMsg, err := os.ReadFile(*oldFile)
		if err != nil {
			fail("%v", err)
		}
		on, err := note.Open(oldMsg, note.VerifierList(logVerifier))
		if err != nil {
			fail("old checkpoint does not verify: %v", err)
		}
		old, err := parseCheckpoint(on.Text)
		if err != nil {
			fail("old checkpoint: %v", err)
		}
		if old.origin != cp.origin || old.size > cp.size {
			fail("old checkpoint (%s, %d) cannot precede (%s, %d)", old.origin, old.size, cp.origin, cp.size)
		}
		proof, err := tlog.ProveTree(cp.size, old.size, reader)
		if err != nil {
			fail("consistency proof %d → %d: %v", old.size, cp.size, err)
		}
		if err := tlog.CheckTree(proof, cp.size, cp.root, old.size, old.root); err != nil {
			fail("the log is not consistent with the old checkpoint: %v", err)
		}
		consistentWith = old.size
	}

	if *saveFile != "" {
		if err := os.WriteFile(*saveFile, msg, 0o644); err != nil {
			fail("%v", err)
		}
	}
	out, _ := json.Marshal(map[string]interface{}{
		"ok":                   true,
		"origin":               cp.origin,
		"size":                 cp.size,
		"rootHash":             base64.StdEncoding.EncodeToString(cp.root[:]),
		"cosignaturesVerified": len(cosigners),
		"entriesVerified":      entries,
		"tilesFetched":         tiles.fetched,
		"consistentWith":       consistentWith,
		"elapsedMs":            time.Since(start).Milliseconds(),
	})
	fmt.Println(string(out))
}
