/* probe.h - what the machine offers, asked before StarPU is initialised. */
#ifndef SD_PROBE_H
#define SD_PROBE_H

/* CUDA devices StarPU could use: 0 when StarPU was built without CUDA, when no driver or device
 * is present, or when STARPU_NCUDA=0. Never fails. */
int sd_probe_cuda_devices(void);

#endif
