"""Rule device_check: record the device (GPU or CPU) and SLURM allocation a deep-model job gets."""

from neurogen.io import run_script


def main(snakemake, log):
    from neurogen.io import write_json
    from neurogen.report.device import device_info

    info = device_info(snakemake.params.device, int(snakemake.resources.get("gpu", 0)))
    for w in info["warnings"]:
        log.warning("%s", w)
    log.info(
        "host %s, torch %s, CUDA devices %s, allocation %s",
        info["hostname"],
        info["torch"],
        info["cuda_devices"] or "none",
        info["environment"] or "none (not a SLURM job)",
    )
    write_json(info, snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
