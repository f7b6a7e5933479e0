// independent_verify checks what `axle audit` prints with an RFC 6962/9162 implementation that
// shares no code with axle: Go's golang.org/x/mod/sumdb/tlog (Merkle proofs) and
// golang.org/x/mod/sumdb/note (C2SP signed notes, Ed25519), as packaged by Debian.
//
//	independent_verify -vkey VKEY -checkpoint CP -entry ENTRY.json -inclusion PROOF.json
//	                   [-old-checkpoint CP -consistency PROOF.json]
//
// ENTRY.json is one element of `axle audit tail --json`'s "entries" (seq, prev, message); the
// leaf is rebuilt from docs/audit.md's entry payload: 0x01 || u64 BE seq || prev || message.
// Exit 0 when everything verifies, 1 with the reason otherwise, 2 on bad usage.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

type inclusionFile struct {
	LeafIdx  int64    `json:"leafIdx"`
	TreeSize int64    `json:"treeSize"`
	Root     string   `json:"root"`
	LeafHash string   `json:"leafHash"`
	Proof    []string `json:"proof"`
}

type consistencyFile struct {
	Size1 int64    `json:"size1"`
	Size2 int64    `json:"size2"`
	Root1 string   `json:"root1"`
	Root2 string   `json:"root2"`
	Proof []string `json:"proof"`
}

type entryFile struct {
	Seq     int64  `json:"seq"`
	Prev    string `json:"prev"`
	Message string `json:"message"`
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "independent_verify: "+format+"\n", args...)
	os.Exit(1)
}

func readJSON(path string, v interface{}) {
	data, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		fail("%s: %v", path, err)
	}
}

func decodeHash(b64 string) tlog.Hash {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != tlog.HashSize {
		fail("not a base64 SHA-256 hash: %q", b64)
	}
	var h tlog.Hash
	copy(h[:], raw)
	return h
}

func decodeProof(list []string) []tlog.Hash {
	out := make([]tlog.Hash, 0, len(list))
	for _, s := range list {
		out = append(out, decodeHash(s))
	}
	return out
}

// openCheckpoint verifies the signed note with the vkey, then parses the C2SP tlog-checkpoint
// body: origin, decimal size, base64 root hash.
func openCheckpoint(path string, verifier note.Verifier) checkpoint {
	data, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(data, note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint %s: signature: %v", path, err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		fail("checkpoint %s: too few lines", path)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		fail("checkpoint %s: bad size %q", path, lines[1])
	}
	return checkpoint{origin: lines[0], size: size, root: decodeHash(lines[2])}
}

func main() {
	vkey := flag.String("vkey", "", "verifier key of the log (axle audit key)")
	cpPath := flag.String("checkpoint", "", "signed checkpoint")
	entryPath := flag.String("entry", "", "entry JSON (from axle audit tail --json)")
	inclusionPath := flag.String("inclusion", "", "inclusion proof JSON (axle audit prove --json)")
	oldCpPath := flag.String("old-checkpoint", "", "an older signed checkpoint")
	consistencyPath := flag.String("consistency", "", "consistency proof JSON (axle audit consistency)")
	flag.Parse()
	if *vkey == "" || *cpPath == "" || *entryPath == "" || *inclusionPath == "" ||
		(*oldCpPath == "") != (*consistencyPath == "") {
		flag.Usage()
		os.Exit(2)
	}

	verifier, err := note.NewVerifier(*vkey)
	if err != nil {
		fail("vkey: %v", err)
	}
	cp := openCheckpoint(*cpPath, verifier)

	// The leaf, rebuilt from the entry as docs/audit.md defines it.
	var entry entryFile
	readJSON(*entryPath, &entry)
	prev, err := hex.DecodeString(entry.Prev)
	if err != nil || len(prev) != tlog.HashSize {
		fail("entry: bad prev hash")
	}
	payload := []byte{1}
	payload = binary.BigEndian.AppendUint64(payload, uint64(entry.Seq))
	payload = append(payload, prev...)
	payload = append(payload, entry.Message...)
	leaf := tlog.RecordHash(payload)

	var inc inclusionFile
	readJSON(*inclusionPath, &inc)
	if inc.LeafIdx != entry.Seq {
		fail("inclusion proof is for entry %d, not %d", inc.LeafIdx, entry.Seq)
	}
	if decodeHash(inc.LeafHash) != leaf {
		fail("inclusion proof's leaf hash is not the hash of the entry")
	}
	if inc.TreeSize != cp.size || decodeHash(inc.Root) != cp.root {
		fail("inclusion proof is not for the checkpoint's tree")
	}
	if err := tlog.CheckRecord(decodeProof(inc.Proof), cp.size, cp.root, entry.Seq, leaf); err != nil {
		fail("inclusion: %v", err)
	}
	fmt.Printf("inclusion: entry %d is in %s at size %d\n", entry.Seq, cp.origin, cp.size)

	if *oldCpPath != "" {
		old := openCheckpoint(*oldCpPath, verifier)
		var con consistencyFile
		readJSON(*consistencyPath, &con)
		if con.Size1 != old.size || decodeHash(con.Root1) != old.root ||
			con.Size2 != cp.size || decodeHash(con.Root2) != cp.root {
			fail("consistency proof is not between the two checkpoints")
		}
		if err := tlog.CheckTree(decodeProof(con.Proof), cp.size, cp.root, old.size, old.root); err != nil {
			fail("consistency: %v", err)
		}
		fmt.Printf("consistency: size %d extends size %d\n", cp.size, old.size)
	}
}
