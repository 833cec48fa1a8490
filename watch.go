package curafeed

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch keeps the catalog current until ctx is done: it reloads when a
// record file (*.md) is added, removed or changed, once the records have
// settled (no change for 200 ms, or at most 5 s after the first), so that
// a copy of many files gives one reload. interval is 2 s when not positive.
//
// When the records come from DirFS on a local file system, Watch asks the
// kernel to report changes (fsnotify: inotify on Linux, kqueue on BSD and
// macOS, ReadDirectoryChangesW on Windows) in every folder of the tree,
// folders created later included, and so costs next to nothing while the
// records do not change. It also notices the records folder being
// replaced (a new release renamed into place, a link to it changed),
// within interval at the latest, and then watches the new one. When the
// kernel drops events (its queue overflowed), Watch reloads. As a safety
// net, it also compares the records with the last load every minute (or
// every interval, when that is longer), as polling does (below): on a file
// system whose changes the kernel does not report, and that Watch does not
// recognise as one, changes are still seen. Once notifications fail (a
// folder added that cannot be watched), Watch polls until ctx is done.
//
// Otherwise, and when notifications cannot be had (the kernel's limit of
// watched folders is reached, the records are on a network or FUSE file
// system whose changes made elsewhere no kernel reports, any other error),
// Watch polls: every interval, it looks at the size, modification time and
// mode of every record file (and the errors of the walk), and reloads when
// they changed; a file rewritten with the same size within the file
// system's timestamp granularity is then not noticed until its next
// change. Watch says why it polls to ReloadOptions.OnWatchError. Call
// Reload to force a load.
func (r *Reloader) Watch(ctx context.Context, interval time.Duration) {
	if r == nil {
		return
	}
	if interval <= 0 {
		interval = 2 * time.Second
	}
	if d, ok := r.fsys.(*dirFS); ok {
		err := r.notify(ctx, d, interval)
		if err == nil || ctx.Err() != nil {
			return
		}
		r.watchError(fmt.Errorf("%w; polling every %v instead", err, interval))
	}
	watchStarted()
	r.poll(ctx, interval)
}

// watchError reports err to ReloadOptions.OnWatchError, when set: a
// library does not write to a program's log on its own.
func (r *Reloader) watchError(err error) {
	if r.opts.OnWatchError != nil {
		r.opts.OnWatchError(err)
	}
}

// Settling: a change is acted upon once the records have not changed for
// settle, or maxSettle after the first change at the latest.
const settle, maxSettle = 200 * time.Millisecond, 5 * time.Second

// watchRecheck is how often a Watch with notifications compares the
// records with the last load, when interval is shorter; tests shorten it.
var watchRecheck = time.Minute

// nextRecheck is the wait before the next recheck, after one that took
// took of its workers' time (its wall time times their number): a recheck
// walks every record file, so over a large tree it runs less often, taking
// at most 0.1% of the time when nothing changes. At 100,000 records a walk
// took 0.9–1.2 s of CPU on both cores; at 0.5% of the time, every 2.2
// minutes, that was 0.7–0.9% of a core, most of what an idle server spent.
func nextRecheck(interval, took time.Duration) time.Duration {
	return max(interval, watchRecheck, 1000*took)
}

// newWatcher makes the notifier of a Watch, addWatch watches one folder
// with it, and watchStarted is called once Watch has set every watch, or
// polls; tests replace them.
var (
	newWatcher   = fsnotify.NewWatcher
	addWatch     = (*fsnotify.Watcher).Add
	watchStarted = func() {}
)

// notifier watches the folder tree of a dirFS for a Watch. Only the
// goroutine of the Watch uses it, but for the reloads it starts.
type notifier struct {
	r    *Reloader
	dir  string // the records folder, absolute
	w    *fsnotify.Watcher
	dirs map[string]bool // folders watched, by absolute path, dir included

	paths map[string]bool // record files edited since the last reload began, relative
	full  bool            // something else changed: the next reload loads every record
	took  time.Duration   // how long the walk of start took
	id    os.FileInfo     // the folder watched as dir, nil when it was missing

	first     time.Time     // when the first change not loaded yet was seen; zero when none
	timer     *time.Timer   // fires when the changes have settled
	reloading bool          // a reload runs on its own goroutine
	again     bool          // changes settled while it ran: reload once more after it
	done      chan struct{} // receives when the reload ends
}

// notify runs Watch with notifications over the folder of d. It returns
// nil when ctx is done, or the error that stops notifications: Watch then
// polls.
func (r *Reloader) notify(ctx context.Context, d *dirFS, interval time.Duration) error {
	dir, err := filepath.Abs(d.dir)
	if err != nil {
		return fmt.Errorf("curafeed: watching %s: %w", d.dir, err)
	}
	n := &notifier{r: r, dir: dir, timer: time.NewTimer(time.Hour), done: make(chan struct{}, 1)}
	n.timer.Stop()
	defer n.timer.Stop()
	defer n.close()
	defer func() {
		if n.reloading {
			<-n.done // Watch never returns while its reload runs
		}
	}()
	if err := n.start(); err != nil {
		return err
	}
	watchStarted()
	return n.run(ctx, interval)
}

// run handles the events until ctx is done. Reloads run on a goroutine of
// their own, so that events are taken from the kernel while they run.
func (n *notifier) run(ctx context.Context, interval time.Duration) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	workers := time.Duration(n.r.scanWorkers())
	recheck, last := nextRecheck(interval, workers*n.took), time.Now()
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-n.w.Events:
			if !ok {
				return fmt.Errorf("curafeed: watching %s: the notifier stopped", n.dir)
			}
			err = n.event(ev)
		case werr, ok := <-n.w.Errors:
			if !ok {
				return fmt.Errorf("curafeed: watching %s: the notifier stopped", n.dir)
			}
			err = n.failed(werr)
		case <-n.timer.C:
			n.settled()
		case <-n.done:
			n.reloading = false
			err = n.afterReload()
		case <-tick.C:
			if n.replaced() {
				err = n.start()
			} else if !n.reloading && n.first.IsZero() && time.Since(last) >= recheck {
				last = time.Now()
				err = n.recheck()
				recheck = nextRecheck(interval, workers*time.Since(last))
			}
		}
		if err != nil {
			return err
		}
	}
}

// changed notes a change that only a full load sees: the reload waits
// until the records settle.
func (n *notifier) changed() {
	n.full = true
	n.note()
}

// edited notes a change of the record file at rel (in the records): when
// nothing else changed before the reload, it reads only the files edited.
func (n *notifier) edited(rel string) {
	if n.paths == nil {
		n.paths = map[string]bool{}
	}
	n.paths[rel] = true
	n.note()
}

// take returns the record files edited since the last reload began, or
// nil when it must load every record, and forgets them.
func (n *notifier) take() []string {
	var paths []string
	if !n.full {
		for p := range n.paths {
			paths = append(paths, p)
		}
		sort.Strings(paths)
	}
	n.paths, n.full = nil, false
	return paths
}

// note arms the reload: it waits until the records settle.
func (n *notifier) note() {
	now := time.Now()
	if n.first.IsZero() {
		n.first = now
	}
	n.timer.Reset(max(min(settle, n.first.Add(maxSettle).Sub(now)), 0))
}

// settled starts the reload of the changes seen, or asks for one more when
// one runs.
func (n *notifier) settled() {
	n.first = time.Time{}
	if n.reloading {
		n.again = true
		return
	}
	n.reloading = true
	paths := n.take()
	go func() {
		n.r.reload(paths)
		n.done <- struct{}{}
	}()
}

// afterReload watches the records folder again when the reload found it
// replaced, and starts the reload asked for while it ran.
func (n *notifier) afterReload() error {
	if n.replaced() {
		if err := n.start(); err != nil {
			return err
		}
	}
	if n.again {
		n.again = false
		n.settled()
	}
	return nil
}

// failed handles an error of the notifier: when the kernel dropped events,
// every folder is watched anew and the records are reloaded, as changes
// may have gone unseen; other errors are reported.
func (n *notifier) failed(err error) error {
	if !errors.Is(err, fsnotify.ErrEventOverflow) {
		n.r.watchError(fmt.Errorf("curafeed: watching %s: %w", n.dir, err))
		return nil
	}
	n.r.watchError(fmt.Errorf("curafeed: watching %s: the kernel dropped change events (%w); reloading every record", n.dir, err))
	if err := n.start(); err != nil {
		return err
	}
	n.changed()
	return nil
}

// recheck compares the records with the last load, for the changes no
// event reported, and watches the folders that lack a watch.
func (n *notifier) recheck() error {
	sig, _, err := n.r.scan(".", n.watchFolder, nil)
	if err != nil {
		return n.unwatchable(err)
	}
	if sig != n.r.sig.Load() {
		n.changed()
	}
	return nil
}

// start watches the records folder anew: it drops every watch, makes a
// new notifier and watches the parent folder (for the records folder being
// replaced) and every folder of the records. When the records differ from
// the last load (changes made before the watches were set are not
// reported), it notes a change.
func (n *notifier) start() error {
	n.close()
	if fsType := remoteFS(n.dir); fsType != "" {
		return fmt.Errorf("curafeed: %s is on a %s file system, whose changes made on other machines no kernel reports", n.dir, fsType)
	}
	var err error
	if n.w, err = newWatcher(); err != nil {
		return fmt.Errorf("curafeed: watching %s: %w", n.dir, err)
	}
	n.dirs = make(map[string]bool)
	if parent := filepath.Dir(n.dir); parent != n.dir {
		addWatch(n.w, parent) // when it cannot be watched, the ticks still notice a replaced folder
	}
	// The folder is looked at before and after its tree is watched: when
	// it was replaced meanwhile, part of the watches may be on the old one.
	for range 3 {
		before := folderID(n.dir)
		began := time.Now()
		sig, _, err := n.r.scan(".", n.watchFolder, nil)
		n.took = time.Since(began)
		if err != nil {
			return n.unwatchable(err)
		}
		n.id = folderID(n.dir)
		if !sameFolder(before, n.id) {
			continue
		}
		if sig != n.r.sig.Load() {
			n.changed()
		}
		return nil
	}
	n.changed() // replaced again and again: reload, and the ticks will tell
	return nil
}

// folderID returns what tells the folder dir from another, or nil when
// there is none.
func folderID(dir string) os.FileInfo {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil
	}
	return fi
}

// sameFolder reports whether a and b are the same folder, or both missing.
func sameFolder(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == b
	}
	return os.SameFile(a, b)
}

// close stops the notifier, dropping every watch.
func (n *notifier) close() {
	if n.w != nil {
		n.w.Close()
		n.w = nil
	}
}

// replaced reports whether the records folder is no longer the one
// watched: replaced, removed, or back after it was missing.
func (n *notifier) replaced() bool {
	return !sameFolder(folderID(n.dir), n.id)
}

// watchFolder watches the folder p of the records, unless it is watched
// already. A folder that is gone or cannot be read is left unwatched:
// loads report it. Any other error (the kernel's limit of watches is
// reached) ends the walk, and notifications.
func (n *notifier) watchFolder(p string) error {
	path := filepath.Join(n.dir, filepath.FromSlash(p))
	if n.dirs[path] {
		return nil
	}
	err := addWatch(n.w, path)
	switch {
	case err == nil:
		n.dirs[path] = true
		return nil
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission), notFolder(err):
		return nil
	}
	return errWatch{err}
}

// errWatch is an error of watchFolder, which ends the walk that met it.
type errWatch struct{ err error }

func (e errWatch) Error() string { return e.err.Error() }

// unwatchable is the error that ends notifications when a folder could
// not be watched.
func (n *notifier) unwatchable(err error) error {
	if watchLimit(err) {
		return fmt.Errorf("curafeed: watching %s: the kernel's limit of watched folders is reached (raise fs.inotify.max_user_watches): %w", n.dir, err)
	}
	return fmt.Errorf("curafeed: watching %s: %w", n.dir, err)
}

// event handles one event, noting a change when it may change the records:
// the records folder replaced, removed or with other permissions, a record
// file (*.md) added, removed, renamed, written or with other permissions, a
// folder added with records in it, a watched folder removed or renamed.
// Folders added are watched at once, with every folder under them; folders
// removed are no longer watched.
func (n *notifier) event(ev fsnotify.Event) error {
	name := filepath.Clean(ev.Name)
	if name == n.dir {
		// Added, removed or renamed, the folder may be another one even
		// when it looks the same (the inode of one removed may be reused):
		// watch it anew.
		if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
			return n.start()
		}
		if ev.Has(fsnotify.Chmod) {
			n.changed()
		}
		return nil
	}
	rel, err := filepath.Rel(n.dir, name)
	if err != nil || !filepath.IsLocal(rel) {
		return nil // another entry of the parent folder
	}
	record := strings.HasSuffix(strings.ToLower(name), ".md")
	change := record
	switch {
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		if n.dirs[name] {
			n.unwatch(name)
			change = true
		}
	case ev.Has(fsnotify.Create) || (ev.Has(fsnotify.Chmod) && !n.dirs[name]):
		// A folder added, or one made readable.
		found, err := n.added(name, filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		change = change || found
	default:
		change = change || n.dirs[name]
	}
	switch {
	case change && record && !n.dirs[name]:
		// Written, replaced (an editor saving by renaming a new file over
		// it), removed or added: the reload sees which.
		n.edited(filepath.ToSlash(rel))
	case change:
		n.changed()
	}
	return nil
}

// added watches the folder name (rel in the records), if it is one, with
// every folder under it. It reports whether it holds records (written
// before its watch was set) or could not all be read.
func (n *notifier) added(name, rel string) (bool, error) {
	fi, err := os.Lstat(name)
	if err != nil || !fi.IsDir() {
		return false, nil
	}
	_, found, err := n.r.scan(rel, n.watchFolder, nil)
	if err != nil {
		return false, n.unwatchable(err)
	}
	return found, nil
}

// unwatch stops watching the folder path and every folder under it.
func (n *notifier) unwatch(path string) {
	for p := range n.dirs {
		if p == path || strings.HasPrefix(p, path+string(filepath.Separator)) {
			n.w.Remove(p) // the kernel may have removed it already
			delete(n.dirs, p)
		}
	}
}

// poll runs Watch by polling every interval.
func (r *Reloader) poll(ctx context.Context, interval time.Duration) {
	t := time.NewTimer(interval)
	defer t.Stop()
	wait := func(d time.Duration) bool {
		t.Reset(d)
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	for wait(interval) {
		sig := r.signature()
		if sig == r.sig.Load() {
			continue
		}
		deadline := time.Now().Add(maxSettle)
		for time.Now().Before(deadline) {
			if !wait(settle) {
				return
			}
			next := r.signature()
			if next == sig {
				break
			}
			sig = next
		}
		if ctx.Err() != nil {
			return
		}
		r.Reload()
	}
}

// signature hashes what Watch compares: the path, size, modification time
// and mode of every record file, and every error of the walk.
func (r *Reloader) signature() uint64 {
	sig, _, _ := r.scan(".", nil, nil)
	return sig
}

// scan walks the folder root of the records, hashing what signature
// hashes: the signature is the sum of one term per record file (see
// fileTerm) and per error, so that a load which reads a few files only can
// update it. It calls visit, when not nil, with each folder before the
// folder is read; an error of visit ends the walk and is returned. It calls
// term, when not nil, with each record file's term. found reports whether
// the walk met a record file or an error.
func (r *Reloader) scan(root string, visit func(dir string) error, term func(p string, t uint64)) (sig uint64, found bool, err error) {
	sig, found, _, err = r.scanList(root, visit, term, false)
	return sig, found, err
}

// scanList is scan, which also returns the walk's list of record files
// (nil when root cannot be read). With infos, the list has them, and the
// term of a regular file is taken from what the walk saw of it (the same
// as a stat that follows links), sparing a stat of each.
func (r *Reloader) scanList(root string, visit func(dir string) error, term func(p string, t uint64), infos bool) (sig uint64, found bool, list *recordList, err error) {
	list, err = walkRecords(r.fsys, root, visit, infos)
	if err != nil {
		var we errWatch
		if errors.As(err, &we) {
			return 0, true, nil, we.err
		}
		// The root itself cannot be read: its error is the signature.
		return maphash.String(r.seed, root+"\x00error: "+err.Error()), true, nil, nil
	}
	// The files are stat'ed on every worker: at 100,000 records the stats
	// take most of the scan's time.
	terms := make([]uint64, len(list.names))
	parallel(len(list.names), r.scanWorkers(), func(i int) {
		p := list.names[i]
		switch {
		case list.types[i] == walkFailed:
			terms[i] = maphash.String(r.seed, p+"\x00error: "+list.errs[p].Error())
		case infos && list.infos[i] != nil:
			terms[i] = r.infoTerm(p, list.infos[i], nil)
		default:
			terms[i] = r.fileTerm(p)
		}
	})
	for i, t := range terms {
		if term != nil {
			term(list.names[i], t)
		}
		sig += t
	}
	return sig, len(list.names) > 0, list, nil
}

// scanWorkers is the number of workers a scan stats files on.
func (r *Reloader) scanWorkers() int {
	if r.cfg.Workers > 0 {
		return r.cfg.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// fileTerm is the share of the record file p in the signature: a hash of
// its path, size, stamp (see fileStamp) and mode (links followed), or of the
// error that stats it.
func (r *Reloader) fileTerm(p string) uint64 {
	info, err := fs.Stat(r.fsys, p)
	return r.infoTerm(p, info, err)
}

// infoTerm is fileTerm, given what stat says of p.
func (r *Reloader) infoTerm(p string, info fs.FileInfo, err error) uint64 {
	var h maphash.Hash
	h.SetSeed(r.seed)
	var num [20]byte
	h.WriteString(p)
	h.WriteByte(0)
	if err != nil {
		h.WriteString("error: ")
		h.WriteString(err.Error())
		return h.Sum64()
	}
	h.Write(strconv.AppendInt(num[:0], info.Size(), 10))
	h.WriteByte(' ')
	h.Write(strconv.AppendInt(num[:0], fileStamp(info), 10))
	h.WriteByte(' ')
	h.Write(strconv.AppendUint(num[:0], uint64(info.Mode()), 10))
	return h.Sum64()
}
