package sqlstore

import (
	"sync"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// A SQLite VFS that writes each commit's WAL frames with one system call.
//
// SQLite writes a WAL frame as two pwrite calls, its 24-byte header and
// then the page, so a commit of a batch of writes that changed 100 pages
// made 200 system calls before its fsync: profiled under sendmsg, a fifth
// of the single writer's time per message went to pwrite. This VFS is
// SQLite's own "unix" VFS but for its WAL files, whose contiguous writes
// it gathers in memory and hands to the unix VFS as one write before
// anything else touches the file: a sync, a read, a truncate, a size, a
// file control, a close, or a write somewhere else.
//
// Durability and what readers see are unchanged. timd runs SQLite with
// synchronous=FULL (openPools), so every commit syncs the WAL, and the sync
// writes what was gathered first; only then does SQLite publish the new
// frames in the WAL index, which is what other connections read them by.
// What a crash loses is what had not reached the sync: a transaction that
// never committed, as when SQLite itself is interrupted between two of its
// frame writes. Frames SQLite reads back before the commit (a transaction
// larger than its page cache) are written before the read.
//
// Every other file (the database itself, its WAL index) is the unix VFS's
// own, opened in place with none of this in the way.

const walVFSName = "timd-wal"

// walBufMax bounds what one WAL file gathers before it writes. The unix
// VFS takes at most 128 KiB in one write (seekAndWriteFd masks the length
// with 0x1ffff: 128 KiB itself would write nothing and report the disk
// full), so a commit's frames go out 64 KiB at a time: still sixteen 4 KiB
// pages, thirty-two pwrite calls, per call.
const walBufMax = 64 << 10

// walFileHeader is what this VFS keeps in front of the unix VFS's file:
// the sqlite3_file SQLite sees (its methods pointer), padded to 16 bytes.
const walFileHeader = 16

var (
	walVFSOnce sync.Once
	walVFSErr  error
	walVFS     sqlite3.Tsqlite3_vfs
	walBase    uintptr // the unix VFS
	walMethods sqlite3.Tsqlite3_io_methods

	walFilesMu sync.Mutex
	walFiles   = map[uintptr]*walBuf{} // by the sqlite3_file SQLite passes
)

// walBuf is what one open WAL file has gathered: n bytes at off, in C
// memory (the unix VFS writes from a C pointer).
type walBuf struct {
	p        uintptr
	off      int64
	n, capac int
}

// registerWALVFS registers the VFS, once per process.
func registerWALVFS() error {
	walVFSOnce.Do(func() {
		tls := libc.NewTLS()
		defer tls.Close()
		walBase = sqlite3.Xsqlite3_vfs_find(tls, 0)
		if walBase == 0 {
			walVFSErr = errNoDefaultVFS
			return
		}
		walVFS = *(*sqlite3.Tsqlite3_vfs)(cptr(walBase))
		walVFS.FpNext = 0
		walVFS.FszOsFile += walFileHeader
		name, err := libc.CString(walVFSName)
		if err != nil {
			walVFSErr = err
			return
		}
		walVFS.FzName = name
		*(*func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32)(unsafe.Pointer(&walVFS.FxOpen)) = walOpen

		walMethods.FiVersion = 1 // a WAL file has no shared memory and is not mapped
		*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&walMethods.FxClose)) = walClose
		*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&walMethods.FxRead)) = walRead
		*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&walMethods.FxWrite)) = walWrite
		*(*func(*libc.TLS, uintptr, int64) int32)(unsafe.Pointer(&walMethods.FxTruncate)) = walTruncate
		*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&walMethods.FxSync)) = walSync
		*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&walMethods.FxFileSize)) = walFileSize
		*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&walMethods.FxLock)) = walLock
		*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&walMethods.FxUnlock)) = walUnlock
		*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&walMethods.FxCheckReservedLock)) = walCheckReservedLock
		*(*func(*libc.TLS, uintptr, int32, uintptr) int32)(unsafe.Pointer(&walMethods.FxFileControl)) = walFileControl
		*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&walMethods.FxSectorSize)) = walSectorSize
		*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&walMethods.FxDeviceCharacteristics)) = walDeviceCharacteristics

		if rc := sqlite3.Xsqlite3_vfs_register(tls, uintptr(unsafe.Pointer(&walVFS)), 0); rc != sqlite3.SQLITE_OK {
			walVFSErr = sqliteCode(rc)
		}
	})
	return walVFSErr
}

type sqliteCode int32

func (c sqliteCode) Error() string { return "register the WAL VFS: SQLite error " + itoa(int(c)) }

var errNoDefaultVFS = sqliteCode(sqlite3.SQLITE_ERROR)

// walOpen opens a WAL file behind this VFS's header, anything else in
// place with the unix VFS.
func walOpen(tls *libc.TLS, pVfs, zName, pFile uintptr, flags int32, pOutFlags uintptr) int32 {
	open := *(*func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{(*sqlite3.Tsqlite3_vfs)(cptr(walBase)).FxOpen}))
	if flags&sqlite3.SQLITE_OPEN_WAL == 0 {
		return open(tls, walBase, zName, pFile, flags, pOutFlags)
	}
	(*sqlite3.Tsqlite3_file)(cptr(pFile)).FpMethods = 0 // nothing to close if the open fails
	if rc := open(tls, walBase, zName, pFile+walFileHeader, flags, pOutFlags); rc != sqlite3.SQLITE_OK {
		return rc
	}
	walFilesMu.Lock()
	walFiles[pFile] = &walBuf{}
	walFilesMu.Unlock()
	(*sqlite3.Tsqlite3_file)(cptr(pFile)).FpMethods = uintptr(unsafe.Pointer(&walMethods))
	return sqlite3.SQLITE_OK
}

// walReal is the unix VFS's file behind pFile and its methods.
func walReal(pFile uintptr) (uintptr, *sqlite3.Tsqlite3_io_methods) {
	f := pFile + walFileHeader
	return f, (*sqlite3.Tsqlite3_io_methods)(cptr((*sqlite3.Tsqlite3_file)(cptr(f)).FpMethods))
}

func bufOf(pFile uintptr) *walBuf {
	walFilesMu.Lock()
	b := walFiles[pFile]
	walFilesMu.Unlock()
	return b
}

// walFlush writes what pFile has gathered. It is forgotten either way: after
// a failed write SQLite rolls the transaction back and writes its frames
// again.
func walFlush(tls *libc.TLS, pFile uintptr) int32 {
	b := bufOf(pFile)
	if b.n == 0 {
		return sqlite3.SQLITE_OK
	}
	n := b.n
	b.n = 0
	return walRealWrite(tls, pFile, b.p, int32(n), b.off)
}

// walRealWrite writes through the unix VFS's file behind pFile.
func walRealWrite(tls *libc.TLS, pFile, zBuf uintptr, iAmt int32, iOfst int64) int32 {
	f, m := walReal(pFile)
	return (*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&struct{ uintptr }{m.FxWrite})))(tls, f, zBuf, iAmt, iOfst)
}

func walWrite(tls *libc.TLS, pFile, zBuf uintptr, iAmt int32, iOfst int64) int32 {
	b := bufOf(pFile)
	if b.n > 0 && (iOfst != b.off+int64(b.n) || b.n+int(iAmt) > walBufMax) {
		if rc := walFlush(tls, pFile); rc != sqlite3.SQLITE_OK {
			return rc
		}
	}
	if int(iAmt) > walBufMax {
		return walRealWrite(tls, pFile, zBuf, iAmt, iOfst)
	}
	if b.n+int(iAmt) > b.capac {
		c := walBufMax
		p := libc.Xrealloc(tls, b.p, libc.Tsize_t(c))
		if p == 0 {
			return sqlite3.SQLITE_IOERR_NOMEM
		}
		b.p, b.capac = p, c
	}
	if b.n == 0 {
		b.off = iOfst
	}
	copy(unsafe.Slice((*byte)(cptr(b.p+uintptr(b.n))), iAmt), unsafe.Slice((*byte)(cptr(zBuf)), iAmt))
	b.n += int(iAmt)
	return sqlite3.SQLITE_OK
}

func walClose(tls *libc.TLS, pFile uintptr) int32 {
	rc := walFlush(tls, pFile)
	f, m := walReal(pFile)
	if rc2 := (*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{m.FxClose})))(tls, f); rc == sqlite3.SQLITE_OK {
		rc = rc2
	}
	walFilesMu.Lock()
	b := walFiles[pFile]
	delete(walFiles, pFile)
	walFilesMu.Unlock()
	libc.Xfree(tls, b.p)
	return rc
}

func walRead(tls *libc.TLS, pFile, zBuf uintptr, iAmt int32, iOfst int64) int32 {
	if rc := walFlush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	f, m := walReal(pFile)
	return (*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&struct{ uintptr }{m.FxRead})))(tls, f, zBuf, iAmt, iOfst)
}

func walTruncate(tls *libc.TLS, pFile uintptr, size int64) int32 {
	if rc := walFlush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	f, m := walReal(pFile)
	return (*(*func(*libc.TLS, uintptr, int64) int32)(unsafe.Pointer(&struct{ uintptr }{m.FxTruncate})))(tls, f, size)
}

func walSync(tls *libc.TLS, pFile uintptr, flags int32) int32 {
	if rc := walFlush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	f, m := walReal(pFile)
	return (*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&struct{ uintptr }{m.FxSync})))(tls, f, flags)
}

func walFileSize(tls *libc.TLS, pFile, pSize uintptr) int32 {
	if rc := walFlush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	f, m := walReal(pFile)
	return (*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{m.FxFileSize})))(tls, f, pSize)
}

func walFileControl(tls *libc.TLS, pFile uintptr, op int32, pArg uintptr) int32 {
	if rc := walFlush(tls, pFile); rc != sqlite3.SQLITE_OK {
		return rc
	}
	f, m := walReal(pFile)
	return (*(*func(*libc.TLS, uintptr, int32, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{m.FxFileControl})))(tls, f, op, pArg)
}

func walLock(tls *libc.TLS, pFile uintptr, lock int32) int32 {
	f, m := walReal(pFile)
	return (*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&struct{ uintptr }{m.FxLock})))(tls, f, lock)
}

func walUnlock(tls *libc.TLS, pFile uintptr, lock int32) int32 {
	f, m := walReal(pFile)
	return (*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&struct{ uintptr }{m.FxUnlock})))(tls, f, lock)
}

func walCheckReservedLock(tls *libc.TLS, pFile, pResOut uintptr) int32 {
	f, m := walReal(pFile)
	return (*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{m.FxCheckReservedLock})))(tls, f, pResOut)
}

func walSectorSize(tls *libc.TLS, pFile uintptr) int32 {
	f, m := walReal(pFile)
	return (*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{m.FxSectorSize})))(tls, f)
}

func walDeviceCharacteristics(tls *libc.TLS, pFile uintptr) int32 {
	f, m := walReal(pFile)
	return (*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{m.FxDeviceCharacteristics})))(tls, f)
}

// cptr is the pointer to C memory (SQLite's and libc's, which Go's
// collector neither moves nor frees) that u holds.
func cptr(u uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&u)) }
