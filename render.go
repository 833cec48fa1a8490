package curafeed

import (
	"sync"
	"sync/atomic"
)

// The render stage is the one way from a catalog's documents to bytes:
// BuildDir, Catalog.WriteDir, Catalog.Files, NewHandler and the Reloader
// all render through Catalog.render. Every item a document holds is
// rendered, sanitized and encoded once per format, the first time a
// document needs it, and its encodings are kept in a spill file (see
// fragmentStore) for the documents after it; memory holds only those of
// the documents being put together.

// renderWindowTasks bounds the files one window of the render stage
// puts together at once, and renderWindowItems the distinct items they
// may hold (unless one document alone holds more): the memory a window
// needs. Variables so that tests can make windows small.
var (
	renderWindowTasks = 256
	renderWindowItems = 512
)

// renderTask is one file to render: a document in one format.
type renderTask struct {
	f      *Feed
	format Format
}

// renderPlan lists the tasks of docs: every format of each, or the formats
// todo names for it when todo is not nil.
func renderPlan(docs []*Feed, todo map[*Feed][]Format) []renderTask {
	var tasks []renderTask
	for _, f := range docs {
		formats := Formats()
		if todo != nil {
			formats = todo[f]
		}
		for _, format := range formats {
			tasks = append(tasks, renderTask{f, format})
		}
	}
	return tasks
}

// render renders the tasks, with the items' encodings kept in store, and
// calls fn with each file. Tasks are taken a window at a time (see
// renderWindowTasks): first the items of the window that no earlier window
// encoded are encoded, each on one of the workers, in every format store
// plans for it, and kept in store's spill file if a later window holds
// them, and the others are read back from it; then the window's files are
// put together, on every worker, while the next window's fragments are
// planned.
// With ordered, fn is called on the calling goroutine, in the order of
// tasks; without, on the workers, as each file is ready, and concurrently,
// and must not keep the file's Body once it returns: the buffer is used
// again.
// render stops at the first error, of fn or of rendering.
func (c *Catalog) render(tasks []renderTask, store *fragmentStore, ordered bool, fn func(File) error) error {
	workers := c.cfg.Workers
	var ends []int
	for start := 0; start < len(tasks); start = ends[len(ends)-1] {
		ends = append(ends, renderWindow(tasks, start))
	}
	store.plan(tasks, ends)
	start := 0
	arena := &windowArena{}
	var next chan *fragments
	for w, end := range ends {
		window := tasks[start:end]
		arena.reset() // the window before is done with it
		var fr *fragments
		if next != nil {
			fr = <-next
		} else {
			fr = newFragments(window, store, arena)
		}
		if err := fr.prime(c, window, w, workers); err != nil {
			return err
		}
		// The next window's fragments are planned while this one's files
		// are put together, not while a worker waits.
		next = nil
		if w+1 < len(ends) {
			next = make(chan *fragments, 1)
			go func(window []renderTask) { next <- newFragments(window, store, arena) }(tasks[end:ends[w+1]])
		}
		var files []File
		var errs []error
		if ordered {
			files, errs = make([]File, len(window)), make([]error, len(window))
		}
		var failed atomic.Pointer[error]
		parallel(len(window), workers, func(i int) {
			if failed.Load() != nil {
				return
			}
			t := window[i]
			var dst []byte
			if !ordered {
				if p, ok := renderBuffers.Get().(*[]byte); ok {
					dst = *p
				}
			}
			body, st, err := t.f.write(dst, t.format, fr)
			file := File{
				Path: t.f.Path + "/" + t.format.fileName(), ContentType: t.format.contentType(),
				Body: body, Updated: t.f.Updated, Feed: t.f, Format: t.format,
				Truncated: st.short, OverBudget: st.over,
			}
			if ordered {
				files[i], errs[i] = file, err
				return
			}
			if err == nil {
				err = fn(file)
			}
			if cap(body) <= maxRenderBuffer {
				renderBuffers.Put(&body)
			}
			if err != nil {
				failed.CompareAndSwap(nil, &err)
			}
		})
		if p := failed.Load(); p != nil {
			return *p
		}
		for i := range files {
			if errs[i] != nil {
				return errs[i]
			}
			if err := fn(files[i]); err != nil {
				return err
			}
			files[i] = File{}
		}
		if err := store.spill.failed(); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// renderBuffers holds the buffers of files already handed to fn, for an
// unordered render to put the next ones together in; maxRenderBuffer
// bounds the size of those kept.
var renderBuffers sync.Pool

const maxRenderBuffer = 4 << 20

// renderWindow returns the end of the window of tasks that starts at
// start: at most renderWindowTasks tasks, whose documents hold at most
// renderWindowItems distinct items, and at least one task.
func renderWindow(tasks []renderTask, start int) int {
	seen := map[string]bool{}
	end := start
	for end < len(tasks) && end-start < renderWindowTasks {
		f := tasks[end].f
		if end > start && f != tasks[end-1].f {
			n := 0
			for _, it := range f.Items {
				if !seen[it.ID] {
					n++
				}
			}
			if len(seen)+n > renderWindowItems {
				break
			}
		}
		for _, it := range f.Items {
			seen[it.ID] = true
		}
		end++
	}
	return end
}

// prime encodes, on workers goroutines, the items of the window's
// documents (window w of the render) that store has not encoded yet, and
// keeps the encodings the window wants for its documents to use; on the
// same workers, it reads back those of the items an earlier window
// encoded.
func (fr *fragments) prime(c *Catalog, window []renderTask, w, workers int) error {
	var todo, back []*Item
	for _, it := range fr.items {
		if !fr.store.made(it) {
			todo = append(todo, it)
		} else {
			back = append(back, it)
		}
	}
	var mu sync.Mutex
	var first error
	parallel(len(todo)+len(back), workers, func(i int) {
		if i >= len(todo) {
			// Read back now, the window's files need it: two workers
			// putting the formats of one feed together would otherwise
			// wait on each other for every item an earlier window made.
			fr.readBack(c, back[i-len(todo)])
			return
		}
		it := todo[i]
		enc, err := fr.store.encodeAll(c, it, w, fr.arena)
		if err != nil {
			mu.Lock()
			if first == nil {
				first = err
			}
			mu.Unlock()
			return
		}
		for _, format := range Formats() {
			if enc[format] != nil {
				fr.put(fragmentKey{it.ID, format, false}, enc[format])
			}
		}
	})
	return first
}
