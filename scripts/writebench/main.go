//go:build unix

// Command writebench compares ways of writing a feed tree: 21,000 files of
// 23,000 bytes (what curafeed build -no-archives writes for 10,000 records)
// in 40×300 folders, on 2 goroutines, 5 rounds each, in alternation:
//
//	A: Lstat the path, log it in a journal, write a temporary file beside
//	   it and rename it over the path (what BuildDir did for every file);
//	B: temporary file and rename only (what it does in a folder that was
//	   empty when the build began);
//	C: write each file in place, as writing a new tree beside the old one
//	   and swapping the two would.
//
// Usage: go run ./scripts/writebench DIR (DIR is removed and made again).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func run(name string, root string, n int, data []byte, write func(dir, p string, i int) error) (time.Duration, time.Duration) {
	os.RemoveAll(root)
	os.MkdirAll(root, 0o755)
	c0, t0 := cpu(), time.Now()
	var wg sync.WaitGroup
	var dirs sync.Map
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 2 {
				d := filepath.Join(root, "c"+strconv.Itoa(i%40), "t"+strconv.Itoa(i%300))
				if _, ok := dirs.Load(d); !ok {
					os.MkdirAll(d, 0o755)
					dirs.Store(d, true)
				}
				if err := write(d, filepath.Join(d, "f"+strconv.Itoa(i)+".xml"), i); err != nil {
					panic(err)
				}
			}
		}(w)
	}
	wg.Wait()
	return time.Since(t0), cpu() - c0
}

func main() {
	root := os.Args[1]
	n := 21000
	data := make([]byte, 23000)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	journal, err := os.CreateTemp("", "writebench-journal-*")
	if err != nil {
		panic(err)
	}
	defer os.Remove(journal.Name())
	var jmu sync.Mutex
	// renamed writes data to a temporary file beside p, renamed over p.
	renamed := func(dir, p string) error {
		tmp := filepath.Join(dir, ".tmp-"+filepath.Base(p))
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		f.Write(data)
		f.Close()
		return os.Rename(tmp, p)
	}
	strategies := map[string]func(dir, p string, i int) error{
		"A lstat+journal+temp+rename": func(dir, p string, i int) error {
			os.Lstat(p)
			jmu.Lock()
			journal.WriteString(p + "\n")
			jmu.Unlock()
			return renamed(dir, p)
		},
		"B temp+rename": func(dir, p string, i int) error {
			return renamed(dir, p)
		},
		"C direct write (tree-swap: new tree beside, one rename)": func(dir, p string, i int) error {
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return err
			}
			f.Write(data)
			return f.Close()
		},
	}
	var names []string
	for k := range strategies {
		names = append(names, k)
	}
	sort.Strings(names)
	res := map[string][]float64{}
	for round := 0; round < 5; round++ {
		for _, k := range names {
			w, c := run(k, root, n, data, strategies[k])
			res[k] = append(res[k], w.Seconds(), c.Seconds())
		}
	}
	for _, k := range names {
		var ws, cs []float64
		for i := 0; i < len(res[k]); i += 2 {
			ws = append(ws, res[k][i])
			cs = append(cs, res[k][i+1])
		}
		sort.Float64s(ws)
		sort.Float64s(cs)
		fmt.Printf("%-58s wall median %.3f s  CPU median %.3f s\n", k, ws[len(ws)/2], cs[len(cs)/2])
	}
	os.RemoveAll(root)
}
