package io.sandboxrun.seccomp.compile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A classic-BPF interpreter over {@code struct seccomp_data} (linux/seccomp.h), enough for the
 * programs libseccomp emits: it runs an exported filter on a made-up call so tests can check the
 * program itself against the rule table, without loading anything into the kernel.
 */
final class BpfInterpreter {
    static final int AUDIT_ARCH_X86_64 = 0xc000003e, AUDIT_ARCH_I386 = 0x40000003;
    /** x32 syscalls run with the x86_64 arch token and this bit in the number (asm/unistd.h). */
    static final int X32_SYSCALL_BIT = 0x40000000;

    // linux/bpf_common.h
    private static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
    private static final int W = 0x00, ABS = 0x20, IMM = 0x00, MEM = 0x60, LEN = 0x80;
    private static final int ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
            NEG = 0x80, MOD = 0x90, XOR = 0xa0;
    private static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, X = 0x08;

    /** The 32-bit return value of {@code program} for the call, e.g. 0x7fff0000 (ALLOW). */
    static int run(byte[] program, int nr, int arch, long[] args) {
        return (int) exec(program, nr, arch, args)[0];
    }

    /** How many instructions {@code program} runs to decide the call. */
    static int steps(byte[] program, int nr, int arch, long[] args) {
        return (int) exec(program, nr, arch, args)[1];
    }

    private static long[] exec(byte[] program, int nr, int arch, long[] args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(8, 0x400000L);
        for (int i = 0; i < 6; i++) data.putLong(16 + 8 * i, i < args.length ? args[i] : 0);
        ByteBuffer p = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        int n = program.length / 8;
        int a = 0, x = 0;
        int[] mem = new int[16];
        for (int pc = 0, steps = 1; pc < n; pc++, steps++) {
            int code = p.getShort(pc * 8) & 0xffff;
            int jt = p.get(pc * 8 + 2) & 0xff, jf = p.get(pc * 8 + 3) & 0xff;
            int k = p.getInt(pc * 8 + 4);
            switch (code & 0x07) {
                case LD -> a = switch (code & 0xe0) {
                    case ABS -> data.getInt(k);
                    case IMM -> k;
                    case MEM -> mem[k];
                    case LEN -> 64;
                    default -> throw new IllegalStateException("ld mode " + Integer.toHexString(code));
                };
                case LDX -> x = (code & 0xe0) == MEM ? mem[k] : k;
                case ST -> mem[k] = a;
                case STX -> mem[k] = x;
                case ALU -> {
                    int v = (code & X) != 0 ? x : k;
                    a = switch (code & 0xf0) {
                        case ADD -> a + v;
                        case SUB -> a - v;
                        case MUL -> a * v;
                        case DIV -> Integer.divideUnsigned(a, v);
                        case MOD -> Integer.remainderUnsigned(a, v);
                        case OR -> a | v;
                        case AND -> a & v;
                        case XOR -> a ^ v;
                        case LSH -> a << v;
                        case RSH -> a >>> v;
                        case NEG -> -a;
                        default -> throw new IllegalStateException("alu " + Integer.toHexString(code));
                    };
                }
                case JMP -> {
                    int v = (code & X) != 0 ? x : k;
                    int op = code & 0xf0;
                    if (op == JA) {
                        pc += k;
                    } else {
                        boolean t = switch (op) {
                            case JEQ -> a == v;
                            case JGT -> Integer.compareUnsigned(a, v) > 0;
                            case JGE -> Integer.compareUnsigned(a, v) >= 0;
                            case JSET -> (a & v) != 0;
                            default -> throw new IllegalStateException("jmp " + Integer.toHexString(code));
                        };
                        pc += t ? jt : jf;
                    }
                }
                case RET -> {
                    return new long[] {(code & 0x18) == 0x10 ? a : k, steps};    // BPF_A or BPF_K
                }
                case MISC -> {
                    if ((code & 0xf8) == 0) x = a; else a = x;   // TAX / TXA
                }
                default -> throw new IllegalStateException("class " + code);
            }
        }
        throw new IllegalStateException("program ran off its end");
    }

    private BpfInterpreter() {}
}
