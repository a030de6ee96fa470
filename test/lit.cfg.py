# lit configuration for the phalanx test suites.
import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "Phalanx"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.phalanx_obj_root, "test")
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "CMakeLists.txt"]
# lit tests need the plugins and the CMake package too.

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%phalanx_lib_dir", config.phalanx_lib_dir))
config.substitutions.append(("%phalanx_src_root", config.phalanx_src_root))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
# FileCheck, not, count and split-file come from the LLVM tools directory.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.phalanx_tools_dir, append_path=True)

tool_dirs = [config.phalanx_tools_dir, config.llvm_tools_dir]
tools = [
    "phalanx-opt",
    ToolSubst("upstream-mlir-opt", os.path.join(config.llvm_tools_dir, "mlir-opt")),
]
for optional in ["phalanx-compile", "phalanx-run"]:
    if os.path.exists(os.path.join(config.phalanx_tools_dir, optional)):
        tools.append(optional)
        config.available_features.add(optional)
llvm_config.add_tool_substitutions(tools, tool_dirs)

if shutil.which("cmake") and shutil.which("ninja"):
    config.available_features.add("cmake")

if shutil.which("ptxas") or os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")
