"""Compare a bundled table's idea of each concrete class's config with the runtime's `cls.config_class`.

    python scripts/check_class_configs_with_torch.py src/automodel_lint/knowledge/data/transformers-5.24.0.json

Run it with an interpreter that has torch and the table's transformers version installed (the tests never need
torch, so this check is not part of them). For every architecture of the table that the runtime can import, the
model type of `cls.config_class` must equal the one `KnowledgeTable.class_config` gives; HFA006 compares it with
the checkpoint's. Exits 1 on any mismatch.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from automodel_lint.knowledge.table import KnowledgeTable  # noqa: E402


def main(path: str) -> int:
    import transformers

    table = KnowledgeTable(json.loads(Path(path).read_text(encoding="utf-8")), origin=path)
    if transformers.__version__ != table.version:
        print(f"the table is for transformers {table.version}, this interpreter has {transformers.__version__}")
        return 2
    compared, mismatches = 0, []
    for name in table.data["architectures"]:
        try:
            real = getattr(transformers, name).config_class.model_type
        except Exception:  # noqa: BLE001 - a class whose backend (flax, torchaudio) is missing cannot be compared
            continue
        compared += 1
        mine = table.config_model_type(table.class_config(name))
        if real != mine:
            mismatches.append((name, real, mine))
    for name, real, mine in mismatches:
        print(f"{name}: runtime {real}, table {mine}")
    print(f"{compared} classes compared, {len(mismatches)} mismatches")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
