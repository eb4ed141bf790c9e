<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <source>identity: a = z (no non-linearity)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step: 1 where z &gt; 0, else 0 (the perceptron&apos;s; its gradient is 0 everywhere)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sigmoid: 1 / (1 + e^-z), between 0 and 1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tanh: between -1 and 1, centred on 0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ReLU: max(0, z)</source>
        <translation>ReLU：max(0, z)</translation>
    </message>
    <message>
        <source>leaky ReLU: z for z &gt; 0, 0.01 z otherwise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PReLU: leaky ReLU whose negative slope is learned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ELU: z for z &gt; 0, e^z - 1 otherwise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GELU: z Φ(z), a smooth ReLU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>swish (SiLU): z sigmoid(z)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>softmax: exponentials normalised to sum to 1 over the layer&apos;s units</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>softmax without the max subtracted (teaching): large logits overflow to NaN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AND truth table: 4 points, label 1 only at (1, 1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OR truth table: 4 points, label 0 only at (0, 0)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>XOR truth table: 4 points, label 1 where exactly one input is 1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Circle (Playground): class 1 inside radius 2.5, class 0 on a ring 3.5-5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exclusive or (Playground): class 1 where x1*x2 &gt;= 0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gaussian (Playground): two Gaussian blobs around (2, 2) and (-2, -2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spiral (Playground): two interleaved spirals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plane (Playground regression): target (x1 + x2) / 10</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Multi Gaussian (Playground regression): six +/- bumps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Square (regression): y = x^2 on [-1, 1], Gaussian noise of std `noise`</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PyTorch&apos;s nn.Linear default: weights and biases U(±1/√fan_in)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all weights 0 (every unit stays the same: symmetry is never broken)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>weights U(0, 1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>weights N(0, 1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Glorot uniform: U(±√(6 / (fan_in + fan_out))); suits tanh and sigmoid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Glorot normal: N(0, 2 / (fan_in + fan_out))</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>He (Kaiming) uniform: U(±√(6 / fan_in)); suits ReLU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>He (Kaiming) normal: N(0, 2 / fan_in); suits ReLU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dense: every unit sees every input, z = W x + b</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GLU: a linear layer gated by a sigmoid of a second one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SwiGLU: a linear layer gated by swish of a second one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GeGLU: a linear layer gated by GELU of a second one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>batch norm: normalise each unit over the batch, then scale and shift</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>layer norm: normalise over the units of each sample, then scale and shift</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RMS norm: divide each sample by the root mean square of its units, then scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dropout: while training, zero each value with probability p</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean squared error: mean of (output - target)²; for regression</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean absolute error: mean of |output - target|</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Huber: squared for small errors, absolute for large ones (delta 1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>binary cross-entropy: for one sigmoid output and 0/1 labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cross-entropy: for a softmax output with one unit per class</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>focal loss: binary cross-entropy that down-weights easy examples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>weight decay: adds weight_decay × weight to every gradient (L2 penalty)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>eps: added to the denominator so it is never 0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stochastic gradient descent (torch.optim.SGD), optionally with momentum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>momentum: how much of the previous update is kept (0 = none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dampening: how much the new gradient is damped when added to the momentum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nesterov momentum: look ahead along the momentum (needs momentum &gt; 0, dampening 0)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adam (torch.optim.Adam): per-weight steps from running gradient moments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>betas: decay rates of the running mean of the gradient and of its square</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AMSGrad: use the largest squared-gradient average seen so far</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AdamW (torch.optim.AdamW): Adam with decoupled weight decay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adagrad (torch.optim.Adagrad): steps shrink with the sum of squared gradients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>learning-rate decay: lr / (1 + (t - 1) × lr_decay)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>initial value of the sum of squared gradients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RMSprop (torch.optim.RMSprop): steps scaled by a running mean of squared gradients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alpha: smoothing constant of the running mean of squared gradients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>centred: normalise by the variance of the gradient rather than its mean square</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rosenblatt&apos;s perceptron rule, sample by sample; for one layer with a step activation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>constant: the learning rate never changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step decay: multiply the learning rate by gamma every step_size steps (StepLR)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step size: multiply the learning rate by gamma every this many steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>gamma: the factor applied every step_size steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cosine annealing from the learning rate down to eta_min over t_max steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T_max: steps of one half cosine from the base learning rate down to eta_min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>eta_min: the lowest learning rate of the cosine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
</context>
</TS>
