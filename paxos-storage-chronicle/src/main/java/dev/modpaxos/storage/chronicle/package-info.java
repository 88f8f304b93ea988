/**
 * {@link dev.modpaxos.storage.chronicle.ChronicleStore}: the {@link dev.modpaxos.spi.Store} SPI on
 * Chronicle Map files, with {@link dev.modpaxos.storage.chronicle.ChronicleStoreConfig} and {@link
 * dev.modpaxos.storage.chronicle.Durability}. Everything else here is package-private:
 * {@code MapFile} is the only class that touches Chronicle Map, {@code RecordCodec} owns the
 * on-disk record format, {@code AcceptorFile} the identity, the promise and the ring of votes by
 * slot, {@code ChosenFiles} the rolling chosen-block files, {@code LocalLogFile} the local log, {@code SnapshotFiles} the snapshots (R20), {@code Disk}, {@code DirectoryLock}, {@code Layout} and {@code Session} the small
 * files around them. No protocol logic lives here. Users: see docs/STORAGE.md.
 */
package dev.modpaxos.storage.chronicle;
