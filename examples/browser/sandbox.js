// The playground's view of the in-memory filesystem: which files a run wrote, changed or deleted. It compares two
// snapshots of a directory of a Kiln `MemoryFs`, taken before and after the run.

/** WASI `filetype` values (the preview1 witx), as `MemoryFs.readdir` reports them. */
const DIRECTORY = 3;
const REGULAR_FILE = 4;

/**
 * @typedef {object} FileState A regular file as a snapshot saw it.
 * @property {Uint8Array} bytes its contents
 * @property {bigint} mtim its modification time, in nanoseconds
 */

/**
 * Reads every regular file under `dir`, in every subdirectory (symlinks are not followed).
 *
 * @param {import("../../wasi.ts").MemoryFs} fs the filesystem
 * @param {string} dir an absolute directory path in it, e.g. `/sandbox`
 * @returns {Map<string, FileState>} the files by absolute path, in name order
 */
export function snapshotFiles(fs, dir) {
  const files = new Map();
  for (const entry of fs.readdir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.filetype === DIRECTORY) {
      for (const [p, state] of snapshotFiles(fs, path)) files.set(p, state);
    } else if (entry.filetype === REGULAR_FILE) {
      files.set(path, { bytes: fs.readFile(path), mtim: fs.lstat(path).mtim });
    }
  }
  return files;
}

/**
 * @typedef {object} FileChange A file a run touched.
 * @property {string} path its absolute path
 * @property {"new" | "changed" | "rewritten" | "deleted"} how "rewritten": written again with the same contents
 * @property {Uint8Array | null} bytes its contents after the run (null when deleted)
 */

/**
 * Lists the files that differ between two snapshots: new ones, those whose contents or modification time changed,
 * and deleted ones, sorted by path.
 *
 * @param {Map<string, FileState>} before the snapshot taken before the run
 * @param {Map<string, FileState>} after the snapshot taken after it
 * @returns {FileChange[]} the changes
 */
export function changedFiles(before, after) {
  const changes = [];
  for (const [path, now] of after) {
    const was = before.get(path);
    if (!was) changes.push({ path, how: "new", bytes: now.bytes });
    else if (!sameBytes(was.bytes, now.bytes)) changes.push({ path, how: "changed", bytes: now.bytes });
    else if (was.mtim !== now.mtim) changes.push({ path, how: "rewritten", bytes: now.bytes });
  }
  for (const path of before.keys()) {
    if (!after.has(path)) changes.push({ path, how: "deleted", bytes: null });
  }
  return changes.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** Whether two byte arrays hold the same bytes. */
function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
