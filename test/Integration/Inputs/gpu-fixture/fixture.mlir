// GPU test fixture for the runtime's CUDA backend, built with upstream MLIR
// tools only (build.sh): kernels in a gpu.module, host functions that launch
// them through gpu.launch_func (plain, cluster, and with device-side
// temporaries), lowered by gpu-to-llvm to calls of the mgpu* wrapper ABI.
//
// scan_k1 computes swr.scan with block 1, hops 1, segment inf:
//   y[b,h,d,t] = x[b,h,d,t] + a[b,h,t] * x[b,h,d,t-1]   (t > 0)
// so phalanx-run --check can compare it with the float64 reference.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @scan_k1(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                      %y: memref<?x?x?x?xf32>, %total: index) kernel {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c2 = arith.constant 2 : index
      %c3 = arith.constant 3 : index
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %tid = gpu.thread_id x
      %base = arith.muli %bid, %bdim : index
      %i = arith.addi %base, %tid : index
      %ok = arith.cmpi ult, %i, %total : index
      scf.if %ok {
        %H = memref.dim %x, %c1 : memref<?x?x?x?xf32>
        %D = memref.dim %x, %c2 : memref<?x?x?x?xf32>
        %L = memref.dim %x, %c3 : memref<?x?x?x?xf32>
        %t = arith.remui %i, %L : index
        %r1 = arith.divui %i, %L : index
        %d = arith.remui %r1, %D : index
        %r2 = arith.divui %r1, %D : index
        %h = arith.remui %r2, %H : index
        %b = arith.divui %r2, %H : index
        %xv = memref.load %x[%b, %h, %d, %t] : memref<?x?x?x?xf32>
        %pos = arith.cmpi ugt, %t, %c0 : index
        %res = scf.if %pos -> (f32) {
          %tm1 = arith.subi %t, %c1 : index
          %av = memref.load %a[%b, %h, %t] : memref<?x?x?xf32>
          %xp = memref.load %x[%b, %h, %d, %tm1] : memref<?x?x?x?xf32>
          %m = arith.mulf %av, %xp : f32
          %s = arith.addf %xv, %m : f32
          scf.yield %s : f32
        } else {
          scf.yield %xv : f32
        }
        memref.store %res, %y[%b, %h, %d, %t] : memref<?x?x?x?xf32>
      }
      gpu.return
    }

    gpu.func @add(%a: memref<?xf32>, %b: memref<?xf32>, %c: memref<?xf32>,
                  %n: index) kernel {
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %tid = gpu.thread_id x
      %base = arith.muli %bid, %bdim : index
      %i = arith.addi %base, %tid : index
      %ok = arith.cmpi ult, %i, %n : index
      scf.if %ok {
        %x = memref.load %a[%i] : memref<?xf32>
        %y = memref.load %b[%i] : memref<?xf32>
        %z = arith.addf %x, %y : f32
        memref.store %z, %c[%i] : memref<?xf32>
      }
      gpu.return
    }
  }

  // Number of elements of x and the number of 128-thread blocks (>= 1),
  // rounded up to a multiple of `mult`.
  func.func private @phx_fixture_sizes(%x: memref<?x?x?x?xf32>, %mult: index)
      -> (index, index) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %c128 = arith.constant 128 : index
    %B = memref.dim %x, %c0 : memref<?x?x?x?xf32>
    %H = memref.dim %x, %c1 : memref<?x?x?x?xf32>
    %D = memref.dim %x, %c2 : memref<?x?x?x?xf32>
    %L = memref.dim %x, %c3 : memref<?x?x?x?xf32>
    %bh = arith.muli %B, %H : index
    %bhd = arith.muli %bh, %D : index
    %total = arith.muli %bhd, %L : index
    %nb0 = arith.ceildivui %total, %c128 : index
    %nb1 = arith.maxui %nb0, %c1 : index
    %nc = arith.ceildivui %nb1, %mult : index
    %nb = arith.muli %nc, %mult : index
    return %total, %nb : index, index
  }

  // Plain launch.
  func.func @scan_k1(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                     %y: memref<?x?x?x?xf32>) attributes {llvm.emit_c_interface} {
    %c1 = arith.constant 1 : index
    %c128 = arith.constant 128 : index
    %total, %nb = func.call @phx_fixture_sizes(%x, %c1) : (memref<?x?x?x?xf32>, index) -> (index, index)
    gpu.launch_func @kernels::@scan_k1 blocks in (%nb, %c1, %c1)
        threads in (%c128, %c1, %c1)
        args(%a : memref<?x?x?xf32>, %x : memref<?x?x?x?xf32>,
             %y : memref<?x?x?x?xf32>, %total : index)
    return
  }

  // Cluster launch: clusters of 2 blocks, 64 KB of dynamic shared memory
  // (unused by the kernel; exercises the > 48 KB opt-in).
  func.func @scan_k1_cluster(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                             %y: memref<?x?x?x?xf32>) attributes {llvm.emit_c_interface} {
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c128 = arith.constant 128 : index
    %smem = arith.constant 65536 : i32
    %total, %nb = func.call @phx_fixture_sizes(%x, %c2) : (memref<?x?x?x?xf32>, index) -> (index, index)
    gpu.launch_func @kernels::@scan_k1 clusters in (%c2, %c1, %c1)
        blocks in (%nb, %c1, %c1) threads in (%c128, %c1, %c1)
        dynamic_shared_memory_size %smem
        args(%a : memref<?x?x?xf32>, %x : memref<?x?x?x?xf32>,
             %y : memref<?x?x?x?xf32>, %total : index)
    return
  }

  // Device temporaries on a stream: y = 0 (memset), tmp = alloc, tmp <- x
  // (memcpy), kernel reads tmp, free tmp; all async on one stream chain.
  func.func @scan_k1_staged(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                            %y: memref<?x?x?x?xf32>) attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %c128 = arith.constant 128 : index
    %zero = arith.constant 0.0 : f32
    %total, %nb = func.call @phx_fixture_sizes(%x, %c1) : (memref<?x?x?x?xf32>, index) -> (index, index)
    %B = memref.dim %x, %c0 : memref<?x?x?x?xf32>
    %H = memref.dim %x, %c1 : memref<?x?x?x?xf32>
    %D = memref.dim %x, %c2 : memref<?x?x?x?xf32>
    %L = memref.dim %x, %c3 : memref<?x?x?x?xf32>
    %t0 = gpu.wait async
    %t1 = gpu.memset async [%t0] %y, %zero : memref<?x?x?x?xf32>, f32
    %tmp, %t2 = gpu.alloc async [%t1] (%B, %H, %D, %L) : memref<?x?x?x?xf32>
    %t3 = gpu.memcpy async [%t2] %tmp, %x : memref<?x?x?x?xf32>, memref<?x?x?x?xf32>
    %t4 = gpu.launch_func async [%t3] @kernels::@scan_k1 blocks in (%nb, %c1, %c1)
        threads in (%c128, %c1, %c1)
        args(%a : memref<?x?x?xf32>, %tmp : memref<?x?x?x?xf32>,
             %y : memref<?x?x?x?xf32>, %total : index)
    %t5 = gpu.dealloc async [%t4] %tmp : memref<?x?x?x?xf32>
    gpu.wait [%t5]
    return
  }

  // c = a + b on the GPU ...
  func.func @add(%a: memref<?xf32>, %b: memref<?xf32>, %c: memref<?xf32>)
      attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c128 = arith.constant 128 : index
    %n = memref.dim %a, %c0 : memref<?xf32>
    %nb0 = arith.ceildivui %n, %c128 : index
    %nb = arith.maxui %nb0, %c1 : index
    gpu.launch_func @kernels::@add blocks in (%nb, %c1, %c1)
        threads in (%c128, %c1, %c1)
        args(%a : memref<?xf32>, %b : memref<?xf32>, %c : memref<?xf32>, %n : index)
    return
  }

  // ... and on the CPU, in the same host code (a mixed artifact).
  func.func @add_cpu(%a: memref<?xf32>, %b: memref<?xf32>, %c: memref<?xf32>)
      attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = memref.dim %a, %c0 : memref<?xf32>
    scf.for %i = %c0 to %n step %c1 {
      %x = memref.load %a[%i] : memref<?xf32>
      %y = memref.load %b[%i] : memref<?xf32>
      %z = arith.addf %x, %y : f32
      memref.store %z, %c[%i] : memref<?xf32>
    }
    return
  }

  // scan_k1 on the CPU (same formula, host loops): checks the formula
  // against the reference without a GPU.
  func.func @scan_k1_cpu(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                         %y: memref<?x?x?x?xf32>) attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %B = memref.dim %x, %c0 : memref<?x?x?x?xf32>
    %H = memref.dim %x, %c1 : memref<?x?x?x?xf32>
    %D = memref.dim %x, %c2 : memref<?x?x?x?xf32>
    %L = memref.dim %x, %c3 : memref<?x?x?x?xf32>
    scf.for %b = %c0 to %B step %c1 {
      scf.for %h = %c0 to %H step %c1 {
        scf.for %d = %c0 to %D step %c1 {
          scf.for %t = %c0 to %L step %c1 {
            %xv = memref.load %x[%b, %h, %d, %t] : memref<?x?x?x?xf32>
            %pos = arith.cmpi ugt, %t, %c0 : index
            %res = scf.if %pos -> (f32) {
              %tm1 = arith.subi %t, %c1 : index
              %av = memref.load %a[%b, %h, %t] : memref<?x?x?xf32>
              %xp = memref.load %x[%b, %h, %d, %tm1] : memref<?x?x?x?xf32>
              %m = arith.mulf %av, %xp : f32
              %s = arith.addf %xv, %m : f32
              scf.yield %s : f32
            } else {
              scf.yield %xv : f32
            }
            memref.store %res, %y[%b, %h, %d, %t] : memref<?x?x?x?xf32>
          }
        }
      }
    }
    return
  }
}
