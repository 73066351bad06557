// yamljson decodes manifests exactly as kubectl reads them (k8s.io/apimachinery's
// YAMLOrJSONDecoder over sigs.k8s.io/yaml, as cli-runtime's StreamVisitor does) and
// prints what kubectl would send: the reference the decoding tests compare `check` with.
//
// Input on stdin: one JSON string per line, each a whole manifest file.
// Output on stdout: one JSON object per input line,
// {"documents": [<object>...]} or {"error": "<kubectl's message>"}.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
)

type result struct {
	Documents []json.RawMessage `json:"documents,omitempty"`
	Error     string            `json:"error,omitempty"`
}

// decode mirrors StreamVisitor.Visit: decode each document into a RawExtension, skip
// empty and null documents.
func decode(text string) result {
	decoder := yaml.NewYAMLOrJSONDecoder(strings.NewReader(text), 4096)
	documents := []json.RawMessage{}
	for {
		ext := runtime.RawExtension{}
		if err := decoder.Decode(&ext); err != nil {
			if errors.Is(err, io.EOF) {
				return result{Documents: documents}
			}
			return result{Error: err.Error()}
		}
		raw := bytes.TrimSpace(ext.Raw)
		if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
			continue
		}
		if !json.Valid(raw) {
			return result{Error: "not JSON: " + string(raw)}
		}
		documents = append(documents, json.RawMessage(raw))
	}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	encoder := json.NewEncoder(out)
	for in.Scan() {
		var text string
		if err := json.Unmarshal(in.Bytes(), &text); err != nil {
			_ = encoder.Encode(result{Error: "bad input line: " + err.Error()})
			continue
		}
		_ = encoder.Encode(decode(text))
		out.Flush()
	}
}
