// Command gencorpus writes a synthetic corpus of curation records for
// measuring curafeed at scale:
//
//	go run ./scripts/gencorpus -n 100000 -seed 1 -out DIR
//
// Each record is a Markdown file with YAML front matter shaped like the
// community site exports curafeed reads (every key and nesting of a real
// curated-content record, block YAML as PyYAML writes it) and an HTML body of
// 0.5 to 8 KB. Files go to DIR/communities/{community}/curated-content/{mdName}.md.
//
// The corpus has 40 communities and 300 topics in eight vocabularies
// (Medigy, Symplur, KLAS, Gartner, Frost & Sullivan, MeSH, HIMSS, Healthcare
// IT News), both drawn with Zipf-shaped popularity; 1 to 6 topics a record;
// dates over 2017-2022; about 2% of the files re-export an earlier record
// (same id, newer lastMod). Bodies carry links (some relative), lists,
// images, tables, entities, and in some records tracking pixels, scripts,
// iframes, mojibake (â€™) and a stray control character.
//
// The output is a pure function of -seed and -n: file i depends only on the
// seed and i (a PCG stream seeded with both), so the same command writes the
// same bytes, and a corpus of 1,000 is the first 1,000 files of 100,000.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

func main() {
	n := flag.Int("n", 1000, "number of record files")
	seed := flag.Uint64("seed", 1, "seed; the corpus is a function of -n and -seed")
	out := flag.String("out", "", "output folder (created; files already in it are overwritten, not removed)")
	workers := flag.Int("j", runtime.GOMAXPROCS(0), "files generated and written at once")
	quiet := flag.Bool("q", false, "do not print the corpus statistics")
	flag.Parse()
	if *out == "" || *n < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gencorpus -n N -seed S -out DIR [-j WORKERS] [-q]")
		os.Exit(2)
	}
	st, err := generate(*out, *n, *seed, *workers)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	if !*quiet {
		st.print(os.Stdout)
	}
}

// stats describes a generated corpus.
type stats struct {
	files, dups, topicSlots   int
	bytes, bodyBytes          int64
	pixels, scripts, mojibake int
	commUse                   map[string]int
	topicUse                  map[string]int
	pairs                     map[[2]string]bool // community×topic pairs in use
}

func newStats() *stats {
	return &stats{commUse: map[string]int{}, topicUse: map[string]int{}, pairs: map[[2]string]bool{}}
}

func (s *stats) add(g *generator, rec *record, size int) {
	s.files++
	s.bytes += int64(size)
	s.bodyBytes += int64(len(rec.body))
	if rec.dup {
		s.dups++
	}
	s.commUse[rec.comm.slug]++
	for _, t := range rec.topics {
		s.topicSlots++
		s.topicUse[g.topics[t].json]++
		s.pairs[[2]string{rec.comm.slug, g.topics[t].json}] = true
	}
	if strings.Contains(rec.body, `width="1"`) || strings.Contains(rec.body, `width="0"`) {
		s.pixels++
	}
	if strings.Contains(rec.body, "<script") {
		s.scripts++
	}
	if strings.Contains(rec.body, "â€") {
		s.mojibake++
	}
}

func (s *stats) merge(o *stats) {
	s.files += o.files
	s.dups += o.dups
	s.topicSlots += o.topicSlots
	s.bytes += o.bytes
	s.bodyBytes += o.bodyBytes
	s.pixels += o.pixels
	s.scripts += o.scripts
	s.mojibake += o.mojibake
	for k, v := range o.commUse {
		s.commUse[k] += v
	}
	for k, v := range o.topicUse {
		s.topicUse[k] += v
	}
	for k := range o.pairs {
		s.pairs[k] = true
	}
}

func (s *stats) print(w io.Writer) {
	if s.files == 0 {
		fmt.Fprintln(w, "files 0")
		return
	}
	f := float64(s.files)
	fmt.Fprintf(w, "files %d  bytes %d (%.1f MB)  mean file %.0f B  mean body %.0f B  topics/record %.2f\n",
		s.files, s.bytes, float64(s.bytes)/1e6, float64(s.bytes)/f, float64(s.bodyBytes)/f, float64(s.topicSlots)/f)
	fmt.Fprintf(w, "re-exports %d (%.1f%%)  tracking pixels %d  scripts %d  mojibake %d\n",
		s.dups, 100*float64(s.dups)/f, s.pixels, s.scripts, s.mojibake)
	counts := func(m map[string]int) []int {
		var c []int
		for _, v := range m {
			c = append(c, v)
		}
		sort.Sort(sort.Reverse(sort.IntSlice(c)))
		return c
	}
	cc, tc := counts(s.commUse), counts(s.topicUse)
	fmt.Fprintf(w, "communities %d (largest %d, smallest %d)  topics %d (largest %d, 10th %d, 100th %d, smallest %d)  community×topic pairs %d\n",
		len(cc), cc[0], cc[len(cc)-1], len(tc), tc[0], tc[min(9, len(tc)-1)], tc[min(99, len(tc)-1)], tc[len(tc)-1], len(s.pairs))
}

// generate writes files 0..n-1 into out with the given number of workers.
func generate(out string, n int, seed uint64, workers int) (*stats, error) {
	g := newGenerator(seed)
	for _, c := range g.communities {
		if err := os.MkdirAll(filepath.Join(out, "communities", c.slug, "curated-content"), 0o755); err != nil {
			return nil, err
		}
	}
	workers = max(workers, 1)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		total  = newStats()
		firstE error
		next   = make(chan int, 256)
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := newStats()
			var buf []byte
			for i := range next {
				rec := g.record(i)
				buf = g.appendFile(buf[:0], rec)
				if err := os.WriteFile(filepath.Join(out, filepath.FromSlash(rec.path())), buf, 0o644); err != nil {
					mu.Lock()
					if firstE == nil {
						firstE = err
					}
					mu.Unlock()
					continue
				}
				st.add(g, rec, len(buf))
			}
			mu.Lock()
			total.merge(st)
			mu.Unlock()
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return total, firstE
}
