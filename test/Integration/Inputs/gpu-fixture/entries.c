/* Packed entries of the fixture: phx_entry_NAME(void **args), one memref
 * descriptor per operand (docs/artifact-format.md), forwarded to the
 * _mlir_ciface_ functions that llvm.emit_c_interface generates. */
void _mlir_ciface_scan_k1(void *, void *, void *);
void _mlir_ciface_scan_k1_cluster(void *, void *, void *);
void _mlir_ciface_scan_k1_staged(void *, void *, void *);
void _mlir_ciface_add(void *, void *, void *);
void _mlir_ciface_add_cpu(void *, void *, void *);
void _mlir_ciface_scan_k1_cpu(void *, void *, void *);

#define ENTRY(name)                                                            \
  void phx_entry_##name(void **args) {                                         \
    _mlir_ciface_##name(args[0], args[1], args[2]);                            \
  }
ENTRY(scan_k1)
ENTRY(scan_k1_cluster)
ENTRY(scan_k1_staged)
ENTRY(add)
ENTRY(add_cpu)
ENTRY(scan_k1_cpu)
