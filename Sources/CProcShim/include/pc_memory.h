#ifndef PC_MEMORY_H
#define PC_MEMORY_H

/// Makes every later fork(2) of this process cheaper by remapping, from their files,
/// the long runs of pages of the private writable file mappings (an executable's and
/// libraries' .data) that this process has never written.
///
/// fork copies the page-table entry of every present page of a mapping that holds at
/// least one written page: a static Swift binary's .data is about 2 MiB, of which a few
/// hundred pages are present because they were read (a read maps its neighbours too)
/// and a dozen were written, so every fork copied about 330 entries for it. A run of
/// 16 or more never-written pages (per /proc/self/pagemap: absent, or present and
/// still the file's page) is mapped again, MAP_PRIVATE|MAP_FIXED, from the same file
/// and offset: same bytes, same protection, but a fresh mapping that holds no written
/// page, whose entries fork does not copy (a child maps what it reads from the page
/// cache). Written pages stay where they are, untouched. A page written later is
/// copied on write as always; its run then costs what it did before.
///
/// Only while the process runs one thread (a write by another thread between the look
/// at pagemap and the remap would be lost): EBUSY otherwise. A mapping whose file is
/// gone or replaced (device and inode differ) is left alone. Returns 0 or an errno
/// value (of reading /proc/self/maps or pagemap, or of mmap).
int pc_remap_clean_file_pages(void);

#endif
